# Generated from compiler/schemas/stage.schema.json by `make schemas`. Do not edit.
# The schema compiled to Python by fastjsonschema: the fast "is it valid?" path of validate.py.
VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^[A-Za-z0-9_-]{1,100}$(?!\\n)': re.compile('^[A-Za-z0-9_-]{1,100}\\Z(?!\\n)'),
    '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$(?!\\n)': re.compile('^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\\Z(?!\\n)'),
    '^src/([A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z_][A-Za-z0-9_]*\\.py$(?!\\n)': re.compile('^src/([A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z_][A-Za-z0-9_]*\\.py\\Z(?!\\n)'),
    '^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*$(?!\\n)': re.compile('^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*\\Z(?!\\n)'),
    '^([^{}\\u0000-\\u001f]|\\{[A-Za-z_][A-Za-z0-9_]*\\})+$(?!\\n)': re.compile('^([^{}\\u0000-\\u001f]|\\{[A-Za-z_][A-Za-z0-9_]*\\})+\\Z(?!\\n)'),
    '^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)': re.compile('^[A-Za-z_][A-Za-z0-9_-]{0,99}\\Z(?!\\n)'),
    '^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)': re.compile('^[A-Za-z_][A-Za-z0-9_]{0,99}\\Z(?!\\n)')
}

NoneType = type(None)

def validate_https___caspers_kitchens_example_schemas_stage_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['task_key', 'description', 'targets']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain ")
        data_keys = set(data.keys())
        if "task_key" in data_keys:
            data_keys.remove("task_key")
            data__taskkey = data["task_key"]
            if not isinstance(data__taskkey, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".task_key must be string")
            if isinstance(data__taskkey, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9_-]{1,100}$(?!\\n)'].search(data__taskkey):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".task_key must match pattern ^[A-Za-z0-9_-]{1,100}$(?!\\n)")
        if "description" in data_keys:
            data_keys.remove("description")
            data__description = data["description"]
            if not isinstance(data__description, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".description must be string")
            if isinstance(data__description, str):
                data__description_len = len(data__description)
                if data__description_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".description must be longer than or equal to 1 characters")
                if data__description_len > 10000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".description must be shorter than or equal to 10000 characters")
        if "depends_on" in data_keys:
            data_keys.remove("depends_on")
            data__dependson = data["depends_on"]
            if not isinstance(data__dependson, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".depends_on must be array")
            data__dependson_is_list = isinstance(data__dependson, (list, tuple))
            if data__dependson_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__dependson_len = len(data__dependson)
                if data__dependson_len > len(set(fn(data__dependson_x) for data__dependson_x in data__dependson)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".depends_on must contain unique items")
                for data__dependson_x, data__dependson_item in enumerate(data__dependson):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_stage_name(data__dependson_item, custom_formats, (name_prefix or "data") + ".depends_on[{data__dependson_x}]".format(**locals()))
        if "parameters" in data_keys:
            data_keys.remove("parameters")
            data__parameters = data["parameters"]
            if not isinstance(data__parameters, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters must be array")
            data__parameters_is_list = isinstance(data__parameters, (list, tuple))
            if data__parameters_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__parameters_len = len(data__parameters)
                if data__parameters_len > len(set(fn(data__parameters_x) for data__parameters_x in data__parameters)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters must contain unique items")
                for data__parameters_x, data__parameters_item in enumerate(data__parameters):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_parameter_name(data__parameters_item, custom_formats, (name_prefix or "data") + ".parameters[{data__parameters_x}]".format(**locals()))
        if "targets" in data_keys:
            data_keys.remove("targets")
            data__targets = data["targets"]
            if not isinstance(data__targets, (list, tuple, dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".targets must be array or object")
            data__targets_is_list = isinstance(data__targets, (list, tuple))
            if data__targets_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__targets_len = len(data__targets)
                if data__targets_len > len(set(fn(data__targets_x) for data__targets_x in data__targets)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".targets must contain unique items")
                for data__targets_x, data__targets_item in enumerate(data__targets):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_target_name(data__targets_item, custom_formats, (name_prefix or "data") + ".targets[{data__targets_x}]".format(**locals()))
            data__targets_is_dict = isinstance(data__targets, dict)
            if data__targets_is_dict:
                data__targets_keys = set(data__targets.keys())
                for data__targets_key in data__targets_keys:
                    if data__targets_key not in []:
                        data__targets_value = data__targets.get(data__targets_key)
                        data__targets_value_any_of_count1 = 0
                        if not data__targets_value_any_of_count1:
                            try:
                                if not isinstance(data__targets_value, (NoneType)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".targets.{data__targets_key}".format(**locals()) + " must be null")
                                data__targets_value_any_of_count1 += 1
                            except (JsonSchemaValueException, JsonSchemaValuesException): pass
                        if not data__targets_value_any_of_count1:
                            try:
                                validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_task_settings(data__targets_value, custom_formats, (name_prefix or "data") + ".targets.{data__targets_key}".format(**locals()))
                                data__targets_value_any_of_count1 += 1
                            except (JsonSchemaValueException, JsonSchemaValuesException): pass
                        if not data__targets_value_any_of_count1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".targets.{data__targets_key}".format(**locals()) + " cannot be validated by any definition")
                data__targets_len = len(data__targets)
                if data__targets_len != 0:
                    data__targets_property_names = True
                    for data__targets_key in data__targets:
                        try:
                            validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_target_name(data__targets_key, custom_formats, (name_prefix or "data") + ".targets")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__targets_property_names = False
                    if not data__targets_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".targets must be named by propertyName definition")
        if "opt_out" in data_keys:
            data_keys.remove("opt_out")
            data__optout = data["opt_out"]
            if not isinstance(data__optout, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".opt_out must be object")
            data__optout_is_dict = isinstance(data__optout, dict)
            if data__optout_is_dict:
                data__optout_keys = set(data__optout.keys())
                for data__optout_key in data__optout_keys:
                    if data__optout_key not in []:
                        data__optout_value = data__optout.get(data__optout_key)
                        if not isinstance(data__optout_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".opt_out.{data__optout_key}".format(**locals()) + " must be string")
                        if isinstance(data__optout_value, str):
                            data__optout_value_len = len(data__optout_value)
                            if data__optout_value_len < 1:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".opt_out.{data__optout_key}".format(**locals()) + " must be longer than or equal to 1 characters")
                data__optout_len = len(data__optout)
                if data__optout_len != 0:
                    data__optout_property_names = True
                    for data__optout_key in data__optout:
                        try:
                            validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_target_name(data__optout_key, custom_formats, (name_prefix or "data") + ".opt_out")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__optout_property_names = False
                    if not data__optout_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".opt_out must be named by propertyName definition")
        if "task" in data_keys:
            data_keys.remove("task")
            data__task = data["task"]
            validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_task_settings(data__task, custom_formats, (name_prefix or "data") + ".task")
        if "produces" in data_keys:
            data_keys.remove("produces")
            data__produces = data["produces"]
            if not isinstance(data__produces, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".produces must be array")
            data__produces_is_list = isinstance(data__produces, (list, tuple))
            if data__produces_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__produces_len = len(data__produces)
                if data__produces_len > len(set(fn(data__produces_x) for data__produces_x in data__produces)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".produces must contain unique items")
                for data__produces_x, data__produces_item in enumerate(data__produces):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_object_pattern(data__produces_item, custom_formats, (name_prefix or "data") + ".produces[{data__produces_x}]".format(**locals()))
        if "async_produces" in data_keys:
            data_keys.remove("async_produces")
            data__asyncproduces = data["async_produces"]
            if not isinstance(data__asyncproduces, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".async_produces must be array")
            data__asyncproduces_is_list = isinstance(data__asyncproduces, (list, tuple))
            if data__asyncproduces_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__asyncproduces_len = len(data__asyncproduces)
                if data__asyncproduces_len > len(set(fn(data__asyncproduces_x) for data__asyncproduces_x in data__asyncproduces)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".async_produces must contain unique items")
                for data__asyncproduces_x, data__asyncproduces_item in enumerate(data__asyncproduces):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_object_pattern(data__asyncproduces_item, custom_formats, (name_prefix or "data") + ".async_produces[{data__asyncproduces_x}]".format(**locals()))
        if "consumes" in data_keys:
            data_keys.remove("consumes")
            data__consumes = data["consumes"]
            if not isinstance(data__consumes, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".consumes must be array")
            data__consumes_is_list = isinstance(data__consumes, (list, tuple))
            if data__consumes_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__consumes_len = len(data__consumes)
                if data__consumes_len > len(set(fn(data__consumes_x) for data__consumes_x in data__consumes)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".consumes must contain unique items")
                for data__consumes_x, data__consumes_item in enumerate(data__consumes):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_object_pattern(data__consumes_item, custom_formats, (name_prefix or "data") + ".consumes[{data__consumes_x}]".format(**locals()))
        if "waits_for" in data_keys:
            data_keys.remove("waits_for")
            data__waitsfor = data["waits_for"]
            if not isinstance(data__waitsfor, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".waits_for must be array")
            data__waitsfor_is_list = isinstance(data__waitsfor, (list, tuple))
            if data__waitsfor_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__waitsfor_len = len(data__waitsfor)
                if data__waitsfor_len > len(set(fn(data__waitsfor_x) for data__waitsfor_x in data__waitsfor)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".waits_for must contain unique items")
                for data__waitsfor_x, data__waitsfor_item in enumerate(data__waitsfor):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_object_pattern(data__waitsfor_item, custom_formats, (name_prefix or "data") + ".waits_for[{data__waitsfor_x}]".format(**locals()))
        if "tags" in data_keys:
            data_keys.remove("tags")
            data__tags = data["tags"]
            if not isinstance(data__tags, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".tags must be array")
            data__tags_is_list = isinstance(data__tags, (list, tuple))
            if data__tags_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__tags_len = len(data__tags)
                if data__tags_len > len(set(fn(data__tags_x) for data__tags_x in data__tags)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".tags must contain unique items")
                for data__tags_x, data__tags_item in enumerate(data__tags):
                    if not isinstance(data__tags_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".tags[{data__tags_x}]".format(**locals()) + " must be string")
                    if isinstance(data__tags_item, str):
                        if not REGEX_PATTERNS['^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$(?!\\n)'].search(data__tags_item):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".tags[{data__tags_x}]".format(**locals()) + " must match pattern ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$(?!\\n)")
        if "requirements" in data_keys:
            data_keys.remove("requirements")
            data__requirements = data["requirements"]
            if not isinstance(data__requirements, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".requirements must be array")
            data__requirements_is_list = isinstance(data__requirements, (list, tuple))
            if data__requirements_is_list:
                def fn(var): return frozenset(dict((k, fn(v)) for k, v in var.items()).items()) if hasattr(var, "items") else tuple(fn(v) for v in var) if isinstance(var, (dict, list)) else (bool, var) if isinstance(var, bool) else var
                data__requirements_len = len(data__requirements)
                if data__requirements_len > len(set(fn(data__requirements_x) for data__requirements_x in data__requirements)):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".requirements must contain unique items")
                for data__requirements_x, data__requirements_item in enumerate(data__requirements):
                    validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_requirement(data__requirements_item, custom_formats, (name_prefix or "data") + ".requirements[{data__requirements_x}]".format(**locals()))
        if "source" in data_keys:
            data_keys.remove("source")
            data__source = data["source"]
            if not isinstance(data__source, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".source must be string")
            if isinstance(data__source, str):
                if not REGEX_PATTERNS['^src/([A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z_][A-Za-z0-9_]*\\.py$(?!\\n)'].search(data__source):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".source must match pattern ^src/([A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z_][A-Za-z0-9_]*\\.py$(?!\\n)")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties")
    return data

def validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_requirement(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string")
    if isinstance(data, str):
        if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*$(?!\\n)'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*$(?!\\n)")
    return data

def validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_object_pattern(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string")
    if isinstance(data, str):
        data_len = len(data)
        if data_len < 1:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be longer than or equal to 1 characters")
        if data_len > 500:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must be shorter than or equal to 500 characters")
        if not REGEX_PATTERNS['^([^{}\\u0000-\\u001f]|\\{[A-Za-z_][A-Za-z0-9_]*\\})+$(?!\\n)'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^([^{}\\u0000-\\u001f]|\\{[A-Za-z_][A-Za-z0-9_]*\\})+$(?!\\n)")
    return data

def validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_task_settings(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "max_retries" in data_keys:
            data_keys.remove("max_retries")
            data__maxretries = data["max_retries"]
            if not isinstance(data__maxretries, (int)) and not (isinstance(data__maxretries, float) and data__maxretries.is_integer()) or isinstance(data__maxretries, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".max_retries must be integer")
            if isinstance(data__maxretries, (int, float, Decimal)) and not isinstance(data__maxretries, bool):
                if data__maxretries < -1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".max_retries must be bigger than or equal to -1")
        if "min_retry_interval_millis" in data_keys:
            data_keys.remove("min_retry_interval_millis")
            data__minretryintervalmillis = data["min_retry_interval_millis"]
            if not isinstance(data__minretryintervalmillis, (int)) and not (isinstance(data__minretryintervalmillis, float) and data__minretryintervalmillis.is_integer()) or isinstance(data__minretryintervalmillis, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".min_retry_interval_millis must be integer")
            if isinstance(data__minretryintervalmillis, (int, float, Decimal)) and not isinstance(data__minretryintervalmillis, bool):
                if data__minretryintervalmillis < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".min_retry_interval_millis must be bigger than or equal to 0")
        if "retry_on_timeout" in data_keys:
            data_keys.remove("retry_on_timeout")
            data__retryontimeout = data["retry_on_timeout"]
            if not isinstance(data__retryontimeout, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".retry_on_timeout must be boolean")
        if "timeout_seconds" in data_keys:
            data_keys.remove("timeout_seconds")
            data__timeoutseconds = data["timeout_seconds"]
            if not isinstance(data__timeoutseconds, (int)) and not (isinstance(data__timeoutseconds, float) and data__timeoutseconds.is_integer()) or isinstance(data__timeoutseconds, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".timeout_seconds must be integer")
            if isinstance(data__timeoutseconds, (int, float, Decimal)) and not isinstance(data__timeoutseconds, bool):
                if data__timeoutseconds < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".timeout_seconds must be bigger than or equal to 0")
        if "run_if" in data_keys:
            data_keys.remove("run_if")
            data__runif = data["run_if"]
            if not (isinstance(data__runif, str) and data__runif == 'ALL_SUCCESS' or isinstance(data__runif, str) and data__runif == 'ALL_DONE' or isinstance(data__runif, str) and data__runif == 'NONE_FAILED' or isinstance(data__runif, str) and data__runif == 'AT_LEAST_ONE_SUCCESS' or isinstance(data__runif, str) and data__runif == 'ALL_FAILED' or isinstance(data__runif, str) and data__runif == 'AT_LEAST_ONE_FAILED'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".run_if must be one of ['ALL_SUCCESS', 'ALL_DONE', 'NONE_FAILED', 'AT_LEAST_ONE_SUCCESS', 'ALL_FAILED', 'AT_LEAST_ONE_FAILED']")
        if "disabled" in data_keys:
            data_keys.remove("disabled")
            data__disabled = data["disabled"]
            if not isinstance(data__disabled, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".disabled must be boolean")
        if "description" in data_keys:
            data_keys.remove("description")
            data__description = data["description"]
            if not isinstance(data__description, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".description must be string")
            if isinstance(data__description, str):
                data__description_len = len(data__description)
                if data__description_len > 1000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".description must be shorter than or equal to 1000 characters")
        if "environment_key" in data_keys:
            data_keys.remove("environment_key")
            data__environmentkey = data["environment_key"]
            if not isinstance(data__environmentkey, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".environment_key must be string")
        if "job_cluster_key" in data_keys:
            data_keys.remove("job_cluster_key")
            data__jobclusterkey = data["job_cluster_key"]
            if not isinstance(data__jobclusterkey, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".job_cluster_key must be string")
        if "existing_cluster_id" in data_keys:
            data_keys.remove("existing_cluster_id")
            data__existingclusterid = data["existing_cluster_id"]
            if not isinstance(data__existingclusterid, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".existing_cluster_id must be string")
        if "email_notifications" in data_keys:
            data_keys.remove("email_notifications")
            data__emailnotifications = data["email_notifications"]
            if not isinstance(data__emailnotifications, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".email_notifications must be object")
        if "notification_settings" in data_keys:
            data_keys.remove("notification_settings")
            data__notificationsettings = data["notification_settings"]
            if not isinstance(data__notificationsettings, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".notification_settings must be object")
        if "webhook_notifications" in data_keys:
            data_keys.remove("webhook_notifications")
            data__webhooknotifications = data["webhook_notifications"]
            if not isinstance(data__webhooknotifications, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".webhook_notifications must be object")
        if "health" in data_keys:
            data_keys.remove("health")
            data__health = data["health"]
            if not isinstance(data__health, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".health must be object")
        if "libraries" in data_keys:
            data_keys.remove("libraries")
            data__libraries = data["libraries"]
            if not isinstance(data__libraries, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".libraries must be array")
            data__libraries_is_list = isinstance(data__libraries, (list, tuple))
            if data__libraries_is_list:
                data__libraries_len = len(data__libraries)
                for data__libraries_x, data__libraries_item in enumerate(data__libraries):
                    if not isinstance(data__libraries_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".libraries[{data__libraries_x}]".format(**locals()) + " must be object")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties")
    return data

def validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_target_name(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string")
    if isinstance(data, str):
        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)")
    return data

def validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_parameter_name(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string")
    if isinstance(data, str):
        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
    return data

def validate_https___caspers_kitchens_example_schemas_stage_schema_json___defs_stage_name(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (str)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be string")
    if isinstance(data, str):
        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data):
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
    return data

validate = validate_https___caspers_kitchens_example_schemas_stage_schema_json
