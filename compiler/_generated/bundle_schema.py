# Generated from compiler/schemas/bundle.schema.json by `make schemas`. Do not edit.
# The schema compiled to Python by fastjsonschema: the fast "is it valid?" path of validate.py.
VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$(?!\\n)': re.compile('^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\\Z(?!\\n)'),
    '^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)': re.compile('^[A-Za-z_][A-Za-z0-9_]{0,99}\\Z(?!\\n)'),
    '^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*$(?!\\n)': re.compile('^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*\\Z(?!\\n)'),
    '^src/[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)': re.compile('^src/[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\\Z(?!\\n)'),
    '^(?!(stages|targets|graphs|src|\\.[^/]*)(/|$))[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)': re.compile('^(?!(stages|targets|graphs|src|\\.[^/]*)(/|\\Z))[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\\Z(?!\\n)'),
    '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\n]+$': re.compile('^(?!/)(?!.*(^|/)\\.\\.(/|\\Z))[^\\n]+\\Z'),
    '^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)': re.compile('^[A-Za-z_][A-Za-z0-9_-]{0,99}\\Z(?!\\n)'),
    '^[A-Za-z_][A-Za-z0-9_.]{0,199}$(?!\\n)': re.compile('^[A-Za-z_][A-Za-z0-9_.]{0,199}\\Z(?!\\n)'),
    '\\{[A-Z][A-Z0-9_]*\\}': re.compile('\\{[A-Z][A-Z0-9_]*\\}'),
    '^[a-z][a-z0-9_]*$': re.compile('^[a-z][a-z0-9_]*\\Z'),
    '^[A-Z][A-Z0-9_]*$': re.compile('^[A-Z][A-Z0-9_]*\\Z')
}

NoneType = type(None)

def validate_https___caspers_kitchens_example_schemas_bundle_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['name', 'workspace', 'job', 'parameters']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain ")
        data_keys = set(data.keys())
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string")
            if isinstance(data__name, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$(?!\\n)'].search(data__name):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must match pattern ^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$(?!\\n)")
        if "variables" in data_keys:
            data_keys.remove("variables")
            data__variables = data["variables"]
            if not isinstance(data__variables, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables must be object")
            data__variables_is_dict = isinstance(data__variables, dict)
            if data__variables_is_dict:
                data__variables_keys = set(data__variables.keys())
                for data__variables_key in data__variables_keys:
                    if data__variables_key not in []:
                        data__variables_value = data__variables.get(data__variables_key)
                        if not isinstance(data__variables_value, (dict)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables.{data__variables_key}".format(**locals()) + " must be object")
                        data__variables_value_is_dict = isinstance(data__variables_value, dict)
                        if data__variables_value_is_dict:
                            data__variables_value__missing_keys = set(['description', 'default']) - data__variables_value.keys()
                            if data__variables_value__missing_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables.{data__variables_key}".format(**locals()) + " must contain ")
                            data__variables_value_keys = set(data__variables_value.keys())
                            if "description" in data__variables_value_keys:
                                data__variables_value_keys.remove("description")
                                data__variables_value__description = data__variables_value["description"]
                                if not isinstance(data__variables_value__description, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables.{data__variables_key}.description".format(**locals()) + " must be string")
                            if "default" in data__variables_value_keys:
                                data__variables_value_keys.remove("default")
                                data__variables_value__default = data__variables_value["default"]
                                if not isinstance(data__variables_value__default, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables.{data__variables_key}.default".format(**locals()) + " must be string")
                            if data__variables_value_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables.{data__variables_key}".format(**locals()) + " must not contain "+str(data__variables_value_keys)+" properties")
                data__variables_len = len(data__variables)
                if data__variables_len != 0:
                    data__variables_property_names = True
                    for data__variables_key in data__variables:
                        try:
                            if isinstance(data__variables_key, str):
                                if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__variables_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__variables_property_names = False
                    if not data__variables_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".variables must be named by propertyName definition")
        if "workspace" in data_keys:
            data_keys.remove("workspace")
            data__workspace = data["workspace"]
            if not isinstance(data__workspace, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".workspace must be object")
            data__workspace_is_dict = isinstance(data__workspace, dict)
            if data__workspace_is_dict:
                data__workspace__missing_keys = set(['root_path']) - data__workspace.keys()
                if data__workspace__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".workspace must contain ")
                data__workspace_keys = set(data__workspace.keys())
                if "root_path" in data__workspace_keys:
                    data__workspace_keys.remove("root_path")
                    data__workspace__rootpath = data__workspace["root_path"]
                    if not isinstance(data__workspace__rootpath, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".workspace.root_path must be string")
                    if isinstance(data__workspace__rootpath, str):
                        data__workspace__rootpath_len = len(data__workspace__rootpath)
                        if data__workspace__rootpath_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".workspace.root_path must be longer than or equal to 1 characters")
                if "file_path" in data__workspace_keys:
                    data__workspace_keys.remove("file_path")
                    data__workspace__filepath = data__workspace["file_path"]
                    if not isinstance(data__workspace__filepath, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".workspace.file_path must be string")
                    if isinstance(data__workspace__filepath, str):
                        data__workspace__filepath_len = len(data__workspace__filepath)
                        if data__workspace__filepath_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".workspace.file_path must be longer than or equal to 1 characters")
                if data__workspace_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".workspace must not contain "+str(data__workspace_keys)+" properties")
        if "sync" in data_keys:
            data_keys.remove("sync")
            data__sync = data["sync"]
            if not isinstance(data__sync, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync must be object")
            data__sync_is_dict = isinstance(data__sync, dict)
            if data__sync_is_dict:
                data__sync_keys = set(data__sync.keys())
                if "include" in data__sync_keys:
                    data__sync_keys.remove("include")
                    data__sync__include = data__sync["include"]
                    if not isinstance(data__sync__include, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync.include must be array")
                    data__sync__include_is_list = isinstance(data__sync__include, (list, tuple))
                    if data__sync__include_is_list:
                        data__sync__include_len = len(data__sync__include)
                        for data__sync__include_x, data__sync__include_item in enumerate(data__sync__include):
                            if not isinstance(data__sync__include_item, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync.include[{data__sync__include_x}]".format(**locals()) + " must be string")
                            if isinstance(data__sync__include_item, str):
                                data__sync__include_item_len = len(data__sync__include_item)
                                if data__sync__include_item_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync.include[{data__sync__include_x}]".format(**locals()) + " must be longer than or equal to 1 characters")
                if "exclude" in data__sync_keys:
                    data__sync_keys.remove("exclude")
                    data__sync__exclude = data__sync["exclude"]
                    if not isinstance(data__sync__exclude, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync.exclude must be array")
                    data__sync__exclude_is_list = isinstance(data__sync__exclude, (list, tuple))
                    if data__sync__exclude_is_list:
                        data__sync__exclude_len = len(data__sync__exclude)
                        for data__sync__exclude_x, data__sync__exclude_item in enumerate(data__sync__exclude):
                            if not isinstance(data__sync__exclude_item, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync.exclude[{data__sync__exclude_x}]".format(**locals()) + " must be string")
                            if isinstance(data__sync__exclude_item, str):
                                data__sync__exclude_item_len = len(data__sync__exclude_item)
                                if data__sync__exclude_item_len < 1:
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync.exclude[{data__sync__exclude_x}]".format(**locals()) + " must be longer than or equal to 1 characters")
                if data__sync_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".sync must not contain "+str(data__sync_keys)+" properties")
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
                    if not isinstance(data__requirements_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".requirements[{data__requirements_x}]".format(**locals()) + " must be string")
                    if isinstance(data__requirements_item, str):
                        if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*$(?!\\n)'].search(data__requirements_item):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".requirements[{data__requirements_x}]".format(**locals()) + " must match pattern ^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?==[A-Za-z0-9][A-Za-z0-9.+!_-]*$(?!\\n)")
        if "assets" in data_keys:
            data_keys.remove("assets")
            data__assets = data["assets"]
            if not isinstance(data__assets, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".assets must be object")
            data__assets_is_dict = isinstance(data__assets, dict)
            if data__assets_is_dict:
                data__assets_keys = set(data__assets.keys())
                for data__assets_key in data__assets_keys:
                    if data__assets_key not in []:
                        data__assets_value = data__assets.get(data__assets_key)
                        if not isinstance(data__assets_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".assets.{data__assets_key}".format(**locals()) + " must be string")
                        if isinstance(data__assets_value, str):
                            if not REGEX_PATTERNS['^src/[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)'].search(data__assets_value):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".assets.{data__assets_key}".format(**locals()) + " must match pattern ^src/[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)")
                data__assets_len = len(data__assets)
                if data__assets_len != 0:
                    data__assets_property_names = True
                    for data__assets_key in data__assets:
                        try:
                            if isinstance(data__assets_key, str):
                                if not REGEX_PATTERNS['^(?!(stages|targets|graphs|src|\\.[^/]*)(/|$))[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)'].search(data__assets_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".assets must match pattern ^(?!(stages|targets|graphs|src|\\.[^/]*)(/|$))[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__assets_property_names = False
                    if not data__assets_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".assets must be named by propertyName definition")
        if "shipped_data" in data_keys:
            data_keys.remove("shipped_data")
            data__shippeddata = data["shipped_data"]
            if not isinstance(data__shippeddata, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data must be object")
            data__shippeddata_is_dict = isinstance(data__shippeddata, dict)
            if data__shippeddata_is_dict:
                data__shippeddata_keys = set(data__shippeddata.keys())
                for data__shippeddata_key in data__shippeddata_keys:
                    if data__shippeddata_key not in []:
                        data__shippeddata_value = data__shippeddata.get(data__shippeddata_key)
                        data__shippeddata_value_any_of_count1 = 0
                        if not data__shippeddata_value_any_of_count1:
                            try:
                                if not isinstance(data__shippeddata_value, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}".format(**locals()) + " must be string")
                                if isinstance(data__shippeddata_value, str):
                                    data__shippeddata_value_len = len(data__shippeddata_value)
                                    if data__shippeddata_value_len < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}".format(**locals()) + " must be longer than or equal to 1 characters")
                                data__shippeddata_value_any_of_count1 += 1
                            except (JsonSchemaValueException, JsonSchemaValuesException): pass
                        if not data__shippeddata_value_any_of_count1:
                            try:
                                if not isinstance(data__shippeddata_value, (dict)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}".format(**locals()) + " must be object")
                                data__shippeddata_value_is_dict = isinstance(data__shippeddata_value, dict)
                                if data__shippeddata_value_is_dict:
                                    data__shippeddata_value__missing_keys = set(['command', 'files']) - data__shippeddata_value.keys()
                                    if data__shippeddata_value__missing_keys:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}".format(**locals()) + " must contain ")
                                    data__shippeddata_value_keys = set(data__shippeddata_value.keys())
                                    if "command" in data__shippeddata_value_keys:
                                        data__shippeddata_value_keys.remove("command")
                                        data__shippeddata_value__command = data__shippeddata_value["command"]
                                        if not isinstance(data__shippeddata_value__command, (str)):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}.command".format(**locals()) + " must be string")
                                        if isinstance(data__shippeddata_value__command, str):
                                            data__shippeddata_value__command_len = len(data__shippeddata_value__command)
                                            if data__shippeddata_value__command_len < 1:
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}.command".format(**locals()) + " must be longer than or equal to 1 characters")
                                    if "files" in data__shippeddata_value_keys:
                                        data__shippeddata_value_keys.remove("files")
                                        data__shippeddata_value__files = data__shippeddata_value["files"]
                                        if not isinstance(data__shippeddata_value__files, (list, tuple)):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}.files".format(**locals()) + " must be array")
                                        data__shippeddata_value__files_is_list = isinstance(data__shippeddata_value__files, (list, tuple))
                                        if data__shippeddata_value__files_is_list:
                                            data__shippeddata_value__files_len = len(data__shippeddata_value__files)
                                            if data__shippeddata_value__files_len < 1:
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}.files".format(**locals()) + " must contain at least 1 items")
                                            for data__shippeddata_value__files_x, data__shippeddata_value__files_item in enumerate(data__shippeddata_value__files):
                                                if not isinstance(data__shippeddata_value__files_item, (str)):
                                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}.files[{data__shippeddata_value__files_x}]".format(**locals()) + " must be string")
                                                if isinstance(data__shippeddata_value__files_item, str):
                                                    data__shippeddata_value__files_item_len = len(data__shippeddata_value__files_item)
                                                    if data__shippeddata_value__files_item_len < 1:
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}.files[{data__shippeddata_value__files_x}]".format(**locals()) + " must be longer than or equal to 1 characters")
                                                    if not REGEX_PATTERNS['^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\n]+$'].search(data__shippeddata_value__files_item):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}.files[{data__shippeddata_value__files_x}]".format(**locals()) + " must match pattern ^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\n]+$")
                                    if data__shippeddata_value_keys:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}".format(**locals()) + " must not contain "+str(data__shippeddata_value_keys)+" properties")
                                data__shippeddata_value_any_of_count1 += 1
                            except (JsonSchemaValueException, JsonSchemaValuesException): pass
                        if not data__shippeddata_value_any_of_count1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data.{data__shippeddata_key}".format(**locals()) + " cannot be validated by any definition")
                data__shippeddata_len = len(data__shippeddata)
                if data__shippeddata_len != 0:
                    data__shippeddata_property_names = True
                    for data__shippeddata_key in data__shippeddata:
                        try:
                            if isinstance(data__shippeddata_key, str):
                                if not REGEX_PATTERNS['^(?!(stages|targets|graphs|src|\\.[^/]*)(/|$))[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)'].search(data__shippeddata_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data must match pattern ^(?!(stages|targets|graphs|src|\\.[^/]*)(/|$))[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$(?!\\n)")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__shippeddata_property_names = False
                    if not data__shippeddata_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".shipped_data must be named by propertyName definition")
        if "job" in data_keys:
            data_keys.remove("job")
            data__job = data["job"]
            if not isinstance(data__job, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".job must be object")
            data__job_is_dict = isinstance(data__job, dict)
            if data__job_is_dict:
                data__job__missing_keys = set(['key', 'name']) - data__job.keys()
                if data__job__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".job must contain ")
                data__job_keys = set(data__job.keys())
                if "key" in data__job_keys:
                    data__job_keys.remove("key")
                    data__job__key = data__job["key"]
                    if not isinstance(data__job__key, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.key must be string")
                    if isinstance(data__job__key, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)'].search(data__job__key):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.key must match pattern ^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)")
                if "name" in data__job_keys:
                    data__job_keys.remove("name")
                    data__job__name = data__job["name"]
                    if not isinstance(data__job__name, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.name must be string")
                    if isinstance(data__job__name, str):
                        data__job__name_len = len(data__job__name)
                        if data__job__name_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.name must be longer than or equal to 1 characters")
                        if data__job__name_len > 4096:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.name must be shorter than or equal to 4096 characters")
                if "description" in data__job_keys:
                    data__job_keys.remove("description")
                    data__job__description = data__job["description"]
                    if not isinstance(data__job__description, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.description must be string")
                if "queue" in data__job_keys:
                    data__job_keys.remove("queue")
                    data__job__queue = data__job["queue"]
                    if not isinstance(data__job__queue, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.queue must be object")
                    data__job__queue_is_dict = isinstance(data__job__queue, dict)
                    if data__job__queue_is_dict:
                        data__job__queue__missing_keys = set(['enabled']) - data__job__queue.keys()
                        if data__job__queue__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.queue must contain ")
                        data__job__queue_keys = set(data__job__queue.keys())
                        if "enabled" in data__job__queue_keys:
                            data__job__queue_keys.remove("enabled")
                            data__job__queue__enabled = data__job__queue["enabled"]
                            if not isinstance(data__job__queue__enabled, (bool)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.queue.enabled must be boolean")
                        if data__job__queue_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.queue must not contain "+str(data__job__queue_keys)+" properties")
                if "performance_target" in data__job_keys:
                    data__job_keys.remove("performance_target")
                    data__job__performancetarget = data__job["performance_target"]
                    if not (isinstance(data__job__performancetarget, str) and data__job__performancetarget == 'PERFORMANCE_OPTIMIZED' or isinstance(data__job__performancetarget, str) and data__job__performancetarget == 'STANDARD'):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.performance_target must be one of ['PERFORMANCE_OPTIMIZED', 'STANDARD']")
                if "max_concurrent_runs" in data__job_keys:
                    data__job_keys.remove("max_concurrent_runs")
                    data__job__maxconcurrentruns = data__job["max_concurrent_runs"]
                    if not isinstance(data__job__maxconcurrentruns, (int)) and not (isinstance(data__job__maxconcurrentruns, float) and data__job__maxconcurrentruns.is_integer()) or isinstance(data__job__maxconcurrentruns, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.max_concurrent_runs must be integer")
                    if isinstance(data__job__maxconcurrentruns, (int, float, Decimal)) and not isinstance(data__job__maxconcurrentruns, bool):
                        if data__job__maxconcurrentruns < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.max_concurrent_runs must be bigger than or equal to 1")
                if "timeout_seconds" in data__job_keys:
                    data__job_keys.remove("timeout_seconds")
                    data__job__timeoutseconds = data__job["timeout_seconds"]
                    if not isinstance(data__job__timeoutseconds, (int)) and not (isinstance(data__job__timeoutseconds, float) and data__job__timeoutseconds.is_integer()) or isinstance(data__job__timeoutseconds, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.timeout_seconds must be integer")
                    if isinstance(data__job__timeoutseconds, (int, float, Decimal)) and not isinstance(data__job__timeoutseconds, bool):
                        if data__job__timeoutseconds < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.timeout_seconds must be bigger than or equal to 0")
                if "tags" in data__job_keys:
                    data__job_keys.remove("tags")
                    data__job__tags = data__job["tags"]
                    if not isinstance(data__job__tags, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.tags must be object")
                    data__job__tags_is_dict = isinstance(data__job__tags, dict)
                    if data__job__tags_is_dict:
                        data__job__tags_keys = set(data__job__tags.keys())
                        for data__job__tags_key in data__job__tags_keys:
                            if data__job__tags_key not in []:
                                data__job__tags_value = data__job__tags.get(data__job__tags_key)
                                if not isinstance(data__job__tags_value, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.tags.{data__job__tags_key}".format(**locals()) + " must be string")
                if "email_notifications" in data__job_keys:
                    data__job_keys.remove("email_notifications")
                    data__job__emailnotifications = data__job["email_notifications"]
                    if not isinstance(data__job__emailnotifications, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.email_notifications must be object")
                if "notification_settings" in data__job_keys:
                    data__job_keys.remove("notification_settings")
                    data__job__notificationsettings = data__job["notification_settings"]
                    if not isinstance(data__job__notificationsettings, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.notification_settings must be object")
                if "webhook_notifications" in data__job_keys:
                    data__job_keys.remove("webhook_notifications")
                    data__job__webhooknotifications = data__job["webhook_notifications"]
                    if not isinstance(data__job__webhooknotifications, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.webhook_notifications must be object")
                if "health" in data__job_keys:
                    data__job_keys.remove("health")
                    data__job__health = data__job["health"]
                    if not isinstance(data__job__health, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".job.health must be object")
                if data__job_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".job must not contain "+str(data__job_keys)+" properties")
        if "cleanup" in data_keys:
            data_keys.remove("cleanup")
            data__cleanup = data["cleanup"]
            if not isinstance(data__cleanup, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup must be object")
            data__cleanup_is_dict = isinstance(data__cleanup, dict)
            if data__cleanup_is_dict:
                data__cleanup_keys = set(data__cleanup.keys())
                if "key" in data__cleanup_keys:
                    data__cleanup_keys.remove("key")
                    data__cleanup__key = data__cleanup["key"]
                    if not isinstance(data__cleanup__key, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.key must be string")
                    if isinstance(data__cleanup__key, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)'].search(data__cleanup__key):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.key must match pattern ^[A-Za-z_][A-Za-z0-9_-]{0,99}$(?!\\n)")
                if "name" in data__cleanup_keys:
                    data__cleanup_keys.remove("name")
                    data__cleanup__name = data__cleanup["name"]
                    if not isinstance(data__cleanup__name, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.name must be string")
                    if isinstance(data__cleanup__name, str):
                        data__cleanup__name_len = len(data__cleanup__name)
                        if data__cleanup__name_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.name must be longer than or equal to 1 characters")
                        if data__cleanup__name_len > 4096:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.name must be shorter than or equal to 4096 characters")
                if "dry_run_parameter" in data__cleanup_keys:
                    data__cleanup_keys.remove("dry_run_parameter")
                    data__cleanup__dryrunparameter = data__cleanup["dry_run_parameter"]
                    if not isinstance(data__cleanup__dryrunparameter, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.dry_run_parameter must be string")
                    if isinstance(data__cleanup__dryrunparameter, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__cleanup__dryrunparameter):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.dry_run_parameter must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                if "delete_adopted_parameter" in data__cleanup_keys:
                    data__cleanup_keys.remove("delete_adopted_parameter")
                    data__cleanup__deleteadoptedparameter = data__cleanup["delete_adopted_parameter"]
                    if not isinstance(data__cleanup__deleteadoptedparameter, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.delete_adopted_parameter must be string")
                    if isinstance(data__cleanup__deleteadoptedparameter, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__cleanup__deleteadoptedparameter):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup.delete_adopted_parameter must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                if data__cleanup_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".cleanup must not contain "+str(data__cleanup_keys)+" properties")
        if "state" in data_keys:
            data_keys.remove("state")
            data__state = data["state"]
            if not isinstance(data__state, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".state must be object")
            data__state_is_dict = isinstance(data__state, dict)
            if data__state_is_dict:
                data__state_keys = set(data__state.keys())
                if "catalog_parameter" in data__state_keys:
                    data__state_keys.remove("catalog_parameter")
                    data__state__catalogparameter = data__state["catalog_parameter"]
                    if not isinstance(data__state__catalogparameter, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".state.catalog_parameter must be string")
                    if isinstance(data__state__catalogparameter, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__state__catalogparameter):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".state.catalog_parameter must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                if "schema" in data__state_keys:
                    data__state_keys.remove("schema")
                    data__state__schema = data__state["schema"]
                    if not isinstance(data__state__schema, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".state.schema must be string")
                    if isinstance(data__state__schema, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__state__schema):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".state.schema must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                if data__state_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".state must not contain "+str(data__state_keys)+" properties")
        if "runtime" in data_keys:
            data_keys.remove("runtime")
            data__runtime = data["runtime"]
            if not isinstance(data__runtime, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime must be object")
            data__runtime_is_dict = isinstance(data__runtime, dict)
            if data__runtime_is_dict:
                data__runtime_keys = set(data__runtime.keys())
                if "forbidden_imports" in data__runtime_keys:
                    data__runtime_keys.remove("forbidden_imports")
                    data__runtime__forbiddenimports = data__runtime["forbidden_imports"]
                    if not isinstance(data__runtime__forbiddenimports, (list, tuple)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.forbidden_imports must be array")
                    data__runtime__forbiddenimports_is_list = isinstance(data__runtime__forbiddenimports, (list, tuple))
                    if data__runtime__forbiddenimports_is_list:
                        data__runtime__forbiddenimports_len = len(data__runtime__forbiddenimports)
                        for data__runtime__forbiddenimports_x, data__runtime__forbiddenimports_item in enumerate(data__runtime__forbiddenimports):
                            if not isinstance(data__runtime__forbiddenimports_item, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.forbidden_imports[{data__runtime__forbiddenimports_x}]".format(**locals()) + " must be string")
                            if isinstance(data__runtime__forbiddenimports_item, str):
                                if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_.]{0,199}$(?!\\n)'].search(data__runtime__forbiddenimports_item):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.forbidden_imports[{data__runtime__forbiddenimports_x}]".format(**locals()) + " must match pattern ^[A-Za-z_][A-Za-z0-9_.]{0,199}$(?!\\n)")
                if "target_parameter" in data__runtime_keys:
                    data__runtime_keys.remove("target_parameter")
                    data__runtime__targetparameter = data__runtime["target_parameter"]
                    if not isinstance(data__runtime__targetparameter, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.target_parameter must be string")
                    if isinstance(data__runtime__targetparameter, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__runtime__targetparameter):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.target_parameter must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                if "run_id_parameter" in data__runtime_keys:
                    data__runtime_keys.remove("run_id_parameter")
                    data__runtime__runidparameter = data__runtime["run_id_parameter"]
                    if not isinstance(data__runtime__runidparameter, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.run_id_parameter must be string")
                    if isinstance(data__runtime__runidparameter, str):
                        if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__runtime__runidparameter):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime.run_id_parameter must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                if data__runtime_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".runtime must not contain "+str(data__runtime_keys)+" properties")
        if "parameters" in data_keys:
            data_keys.remove("parameters")
            data__parameters = data["parameters"]
            if not isinstance(data__parameters, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters must be object")
            data__parameters_is_dict = isinstance(data__parameters, dict)
            if data__parameters_is_dict:
                data__parameters_keys = set(data__parameters.keys())
                for data__parameters_key in data__parameters_keys:
                    if data__parameters_key not in []:
                        data__parameters_value = data__parameters.get(data__parameters_key)
                        if not isinstance(data__parameters_value, (dict)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters.{data__parameters_key}".format(**locals()) + " must be object")
                        data__parameters_value_is_dict = isinstance(data__parameters_value, dict)
                        if data__parameters_value_is_dict:
                            data__parameters_value__missing_keys = set(['description']) - data__parameters_value.keys()
                            if data__parameters_value__missing_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters.{data__parameters_key}".format(**locals()) + " must contain ")
                            data__parameters_value_keys = set(data__parameters_value.keys())
                            if "default" in data__parameters_value_keys:
                                data__parameters_value_keys.remove("default")
                                data__parameters_value__default = data__parameters_value["default"]
                                if not isinstance(data__parameters_value__default, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters.{data__parameters_key}.default".format(**locals()) + " must be string")
                            if "description" in data__parameters_value_keys:
                                data__parameters_value_keys.remove("description")
                                data__parameters_value__description = data__parameters_value["description"]
                                if not isinstance(data__parameters_value__description, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters.{data__parameters_key}.description".format(**locals()) + " must be string")
                                if isinstance(data__parameters_value__description, str):
                                    data__parameters_value__description_len = len(data__parameters_value__description)
                                    if data__parameters_value__description_len < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters.{data__parameters_key}.description".format(**locals()) + " must be longer than or equal to 1 characters")
                            if data__parameters_value_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters.{data__parameters_key}".format(**locals()) + " must not contain "+str(data__parameters_value_keys)+" properties")
                data__parameters_len = len(data__parameters)
                if data__parameters_len != 0:
                    data__parameters_property_names = True
                    for data__parameters_key in data__parameters:
                        try:
                            if isinstance(data__parameters_key, str):
                                if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)'].search(data__parameters_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters must match pattern ^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__parameters_property_names = False
                    if not data__parameters_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters must be named by propertyName definition")
        if "names" in data_keys:
            data_keys.remove("names")
            data__names = data["names"]
            if not isinstance(data__names, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".names must be object")
            data__names_is_dict = isinstance(data__names, dict)
            if data__names_is_dict:
                data__names_keys = set(data__names.keys())
                for data__names_key in data__names_keys:
                    if data__names_key not in []:
                        data__names_value = data__names.get(data__names_key)
                        if not isinstance(data__names_value, (dict)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}".format(**locals()) + " must be object")
                        data__names_value_is_dict = isinstance(data__names_value, dict)
                        if data__names_value_is_dict:
                            data__names_value__missing_keys = set(['pattern', 'max_length']) - data__names_value.keys()
                            if data__names_value__missing_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}".format(**locals()) + " must contain ")
                            data__names_value_keys = set(data__names_value.keys())
                            if "description" in data__names_value_keys:
                                data__names_value_keys.remove("description")
                                data__names_value__description = data__names_value["description"]
                                if not isinstance(data__names_value__description, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.description".format(**locals()) + " must be string")
                            if "pattern" in data__names_value_keys:
                                data__names_value_keys.remove("pattern")
                                data__names_value__pattern = data__names_value["pattern"]
                                if not isinstance(data__names_value__pattern, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.pattern".format(**locals()) + " must be string")
                                if isinstance(data__names_value__pattern, str):
                                    data__names_value__pattern_len = len(data__names_value__pattern)
                                    if data__names_value__pattern_len < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.pattern".format(**locals()) + " must be longer than or equal to 1 characters")
                            if "max_length" in data__names_value_keys:
                                data__names_value_keys.remove("max_length")
                                data__names_value__maxlength = data__names_value["max_length"]
                                if not isinstance(data__names_value__maxlength, (int)) and not (isinstance(data__names_value__maxlength, float) and data__names_value__maxlength.is_integer()) or isinstance(data__names_value__maxlength, bool):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.max_length".format(**locals()) + " must be integer")
                                if isinstance(data__names_value__maxlength, (int, float, Decimal)) and not isinstance(data__names_value__maxlength, bool):
                                    if data__names_value__maxlength < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.max_length".format(**locals()) + " must be bigger than or equal to 1")
                            if "derived" in data__names_value_keys:
                                data__names_value_keys.remove("derived")
                                data__names_value__derived = data__names_value["derived"]
                                if not isinstance(data__names_value__derived, (dict)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived".format(**locals()) + " must be object")
                                data__names_value__derived_is_dict = isinstance(data__names_value__derived, dict)
                                if data__names_value__derived_is_dict:
                                    data__names_value__derived_keys = set(data__names_value__derived.keys())
                                    for data__names_value__derived_key in data__names_value__derived_keys:
                                        if data__names_value__derived_key not in []:
                                            data__names_value__derived_value = data__names_value__derived.get(data__names_value__derived_key)
                                            if not isinstance(data__names_value__derived_value, (dict)):
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}".format(**locals()) + " must be object")
                                            data__names_value__derived_value_is_dict = isinstance(data__names_value__derived_value, dict)
                                            if data__names_value__derived_value_is_dict:
                                                data__names_value__derived_value__missing_keys = set(['template', 'pattern', 'max_length', 'kind']) - data__names_value__derived_value.keys()
                                                if data__names_value__derived_value__missing_keys:
                                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}".format(**locals()) + " must contain ")
                                                data__names_value__derived_value_keys = set(data__names_value__derived_value.keys())
                                                if "template" in data__names_value__derived_value_keys:
                                                    data__names_value__derived_value_keys.remove("template")
                                                    data__names_value__derived_value__template = data__names_value__derived_value["template"]
                                                    if not isinstance(data__names_value__derived_value__template, (str)):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.template".format(**locals()) + " must be string")
                                                    if isinstance(data__names_value__derived_value__template, str):
                                                        data__names_value__derived_value__template_len = len(data__names_value__derived_value__template)
                                                        if data__names_value__derived_value__template_len < 1:
                                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.template".format(**locals()) + " must be longer than or equal to 1 characters")
                                                        if not REGEX_PATTERNS['\\{[A-Z][A-Z0-9_]*\\}'].search(data__names_value__derived_value__template):
                                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.template".format(**locals()) + " must match pattern \\{[A-Z][A-Z0-9_]*\\}")
                                                if "lower" in data__names_value__derived_value_keys:
                                                    data__names_value__derived_value_keys.remove("lower")
                                                    data__names_value__derived_value__lower = data__names_value__derived_value["lower"]
                                                    if not isinstance(data__names_value__derived_value__lower, (bool)):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.lower".format(**locals()) + " must be boolean")
                                                if "replace" in data__names_value__derived_value_keys:
                                                    data__names_value__derived_value_keys.remove("replace")
                                                    data__names_value__derived_value__replace = data__names_value__derived_value["replace"]
                                                    if not isinstance(data__names_value__derived_value__replace, (dict)):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.replace".format(**locals()) + " must be object")
                                                    data__names_value__derived_value__replace_is_dict = isinstance(data__names_value__derived_value__replace, dict)
                                                    if data__names_value__derived_value__replace_is_dict:
                                                        data__names_value__derived_value__replace_keys = set(data__names_value__derived_value__replace.keys())
                                                        for data__names_value__derived_value__replace_key in data__names_value__derived_value__replace_keys:
                                                            if data__names_value__derived_value__replace_key not in []:
                                                                data__names_value__derived_value__replace_value = data__names_value__derived_value__replace.get(data__names_value__derived_value__replace_key)
                                                                if not isinstance(data__names_value__derived_value__replace_value, (str)):
                                                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.replace.{data__names_value__derived_value__replace_key}".format(**locals()) + " must be string")
                                                                if isinstance(data__names_value__derived_value__replace_value, str):
                                                                    data__names_value__derived_value__replace_value_len = len(data__names_value__derived_value__replace_value)
                                                                    if data__names_value__derived_value__replace_value_len > 1:
                                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.replace.{data__names_value__derived_value__replace_key}".format(**locals()) + " must be shorter than or equal to 1 characters")
                                                        data__names_value__derived_value__replace_len = len(data__names_value__derived_value__replace)
                                                        if data__names_value__derived_value__replace_len != 0:
                                                            data__names_value__derived_value__replace_property_names = True
                                                            for data__names_value__derived_value__replace_key in data__names_value__derived_value__replace:
                                                                try:
                                                                    if isinstance(data__names_value__derived_value__replace_key, str):
                                                                        data__names_value__derived_value__replace_key_len = len(data__names_value__derived_value__replace_key)
                                                                        if data__names_value__derived_value__replace_key_len < 1:
                                                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.replace".format(**locals()) + " must be longer than or equal to 1 characters")
                                                                        if data__names_value__derived_value__replace_key_len > 1:
                                                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.replace".format(**locals()) + " must be shorter than or equal to 1 characters")
                                                                except (JsonSchemaValueException, JsonSchemaValuesException):
                                                                    data__names_value__derived_value__replace_property_names = False
                                                            if not data__names_value__derived_value__replace_property_names:
                                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.replace".format(**locals()) + " must be named by propertyName definition")
                                                if "pattern" in data__names_value__derived_value_keys:
                                                    data__names_value__derived_value_keys.remove("pattern")
                                                    data__names_value__derived_value__pattern = data__names_value__derived_value["pattern"]
                                                    if not isinstance(data__names_value__derived_value__pattern, (str)):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.pattern".format(**locals()) + " must be string")
                                                    if isinstance(data__names_value__derived_value__pattern, str):
                                                        data__names_value__derived_value__pattern_len = len(data__names_value__derived_value__pattern)
                                                        if data__names_value__derived_value__pattern_len < 1:
                                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.pattern".format(**locals()) + " must be longer than or equal to 1 characters")
                                                if "max_length" in data__names_value__derived_value_keys:
                                                    data__names_value__derived_value_keys.remove("max_length")
                                                    data__names_value__derived_value__maxlength = data__names_value__derived_value["max_length"]
                                                    if not isinstance(data__names_value__derived_value__maxlength, (int)) and not (isinstance(data__names_value__derived_value__maxlength, float) and data__names_value__derived_value__maxlength.is_integer()) or isinstance(data__names_value__derived_value__maxlength, bool):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.max_length".format(**locals()) + " must be integer")
                                                    if isinstance(data__names_value__derived_value__maxlength, (int, float, Decimal)) and not isinstance(data__names_value__derived_value__maxlength, bool):
                                                        if data__names_value__derived_value__maxlength < 1:
                                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.max_length".format(**locals()) + " must be bigger than or equal to 1")
                                                if "kind" in data__names_value__derived_value_keys:
                                                    data__names_value__derived_value_keys.remove("kind")
                                                    data__names_value__derived_value__kind = data__names_value__derived_value["kind"]
                                                    if not isinstance(data__names_value__derived_value__kind, (str)):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.kind".format(**locals()) + " must be string")
                                                    if isinstance(data__names_value__derived_value__kind, str):
                                                        data__names_value__derived_value__kind_len = len(data__names_value__derived_value__kind)
                                                        if data__names_value__derived_value__kind_len < 1:
                                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}.kind".format(**locals()) + " must be longer than or equal to 1 characters")
                                                if data__names_value__derived_value_keys:
                                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived.{data__names_value__derived_key}".format(**locals()) + " must not contain "+str(data__names_value__derived_value_keys)+" properties")
                                    data__names_value__derived_len = len(data__names_value__derived)
                                    if data__names_value__derived_len != 0:
                                        data__names_value__derived_property_names = True
                                        for data__names_value__derived_key in data__names_value__derived:
                                            try:
                                                if isinstance(data__names_value__derived_key, str):
                                                    if not REGEX_PATTERNS['^[a-z][a-z0-9_]*$'].search(data__names_value__derived_key):
                                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived".format(**locals()) + " must match pattern ^[a-z][a-z0-9_]*$")
                                            except (JsonSchemaValueException, JsonSchemaValuesException):
                                                data__names_value__derived_property_names = False
                                        if not data__names_value__derived_property_names:
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}.derived".format(**locals()) + " must be named by propertyName definition")
                            if data__names_value_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".names.{data__names_key}".format(**locals()) + " must not contain "+str(data__names_value_keys)+" properties")
                data__names_len = len(data__names)
                if data__names_len != 0:
                    data__names_property_names = True
                    for data__names_key in data__names:
                        try:
                            if isinstance(data__names_key, str):
                                if not REGEX_PATTERNS['^[A-Z][A-Z0-9_]*$'].search(data__names_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".names must match pattern ^[A-Z][A-Z0-9_]*$")
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__names_property_names = False
                    if not data__names_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".names must be named by propertyName definition")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties")
    return data

validate = validate_https___caspers_kitchens_example_schemas_bundle_schema_json
