# Generated from compiler/schemas/target.schema.json by `make schemas`. Do not edit.
# The schema compiled to Python by fastjsonschema: the fast "is it valid?" path of validate.py.
VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^[A-Za-z_][A-Za-z0-9_]{0,99}$(?!\\n)': re.compile('^[A-Za-z_][A-Za-z0-9_]{0,99}\\Z(?!\\n)')
}

NoneType = type(None)

def validate_https___caspers_kitchens_example_schemas_target_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object")
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['description']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain ")
        data_keys = set(data.keys())
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
        if "default" in data_keys:
            data_keys.remove("default")
            data__default = data["default"]
            if not isinstance(data__default, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".default must be boolean")
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
                        if not isinstance(data__parameters_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".parameters.{data__parameters_key}".format(**locals()) + " must be string")
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
        if "select" in data_keys:
            data_keys.remove("select")
            data__select = data["select"]
            if not isinstance(data__select, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".select must be string")
            if isinstance(data__select, str):
                data__select_len = len(data__select)
                if data__select_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".select must be longer than or equal to 1 characters")
        if "exclude" in data_keys:
            data_keys.remove("exclude")
            data__exclude = data["exclude"]
            if not isinstance(data__exclude, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".exclude must be string")
            if isinstance(data__exclude, str):
                data__exclude_len = len(data__exclude)
                if data__exclude_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".exclude must be longer than or equal to 1 characters")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties")
    return data

validate = validate_https___caspers_kitchens_example_schemas_target_schema_json
