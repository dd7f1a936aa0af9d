"""Pass 2, validate: check every loaded file against its JSON Schema (compiler/schemas/).

The schemas are the single definition of the spec's shape: editors use them for completion (the
`# yaml-language-server: $schema=...` line) and this pass uses them for errors. jsonschema's
errors are translated into located diagnostics in the spec's own words, with did-you-mean hints
for unknown keys and values.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
from typing import Any

from .diagnostics import Diagnostic, did_you_mean, diag
from .load import LoadedSpec, SpecFile

SCHEMA_DIR = os.path.join(os.path.dirname(__file__), "schemas")
KINDS = ("bundle", "stage", "target")

# Keys the compiler sets itself; naming them in task settings gets a specific hint.
OWNED_TASK_KEYS = {
    "task_key": "the task key comes from the stage's own `task_key`",
    "depends_on": "dependencies come from the stage's `depends_on` (stage names)",
    "notebook_task": "the compiler generates the notebook task from src/stages/<name>.py",
}


def schema_path(kind: str) -> str:
    return os.path.join(SCHEMA_DIR, f"{kind}.schema.json")


@functools.lru_cache(maxsize=None)
def validator_for(kind: str):
    """The compiled validator for one file kind (built once per process)."""
    from jsonschema import Draft202012Validator

    with open(schema_path(kind), encoding="utf-8") as handle:
        schema = json.load(handle)
    return Draft202012Validator(schema)


def validate_spec(spec: LoadedSpec) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    files = ([spec.bundle] if spec.bundle else []) + spec.stages + spec.targets
    for spec_file in files:
        diags.extend(validate_file(spec_file))
    return diags


def validate_file(spec_file: SpecFile) -> list[Diagnostic]:
    validator = validator_for(spec_file.kind)
    errors = list(validator.iter_errors(spec_file.data))
    diags: list[Diagnostic] = []
    for error in errors:
        diags.extend(_translate(spec_file, error))
    return diags


def _translate(spec_file: SpecFile, error) -> list[Diagnostic]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _translate(spec_file, _best_branch_error(error))
    path = tuple(error.absolute_path)
    where = spec_file.where(path)
    name = _describe(path) or "the file"
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator = error.validator
    in_property_names = "propertyNames" in error.absolute_schema_path

    if validator == "additionalProperties" and error.validator_value is False:
        allowed = list(schema.get("properties", {}))
        out = []
        for key in sorted(set(error.instance) - set(allowed), key=str):
            hint = OWNED_TASK_KEYS.get(key) or did_you_mean(key, allowed)
            if not hint:
                hint = "allowed keys: " + ", ".join(allowed)
            out.append(diag("E200", f"unknown key `{key}` in {name}", spec_file.where(path + (key,), key=True), hint))
        return out
    if validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return [diag("E202", f"missing required key `{key}` in {name}", where,
                     _property_description(schema, key)) for key in missing]
    if validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        got = _yaml_kind(error.instance)
        hint = schema.get("x-hint", "")
        if "string" in expected and not isinstance(error.instance, (dict, list)):
            raw = spec_file.scalar_text.get(path)
            hint = hint or f"quote it to make it text: \"{raw if raw is not None else error.instance}\""
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        return [diag("E201", f"{name} must be {wanted}, got {got}", where, hint)]
    if in_property_names:
        key = error.instance
        where = spec_file.where(path + (key,), key=True)
        return [diag("E203", f"{key!r} {schema.get('x-error', 'is not a valid name')} (in {name})",
                     where, schema.get("x-hint", ""))]
    if validator == "enum":
        options = [str(option) for option in error.validator_value]
        hint = did_you_mean(str(error.instance), options) or "allowed: " + ", ".join(options)
        return [diag("E203", f"{name} must be one of {', '.join(options)}; got {error.instance!r}", where, hint)]
    if validator == "pattern":
        message = schema.get("x-error", f"does not match {error.validator_value}")
        return [diag("E203", f"{error.instance!r} {message} (in {name})", where, schema.get("x-hint", ""))]
    if validator == "uniqueItems":
        seen, dupes = set(), []
        for item in error.instance:
            marker = json.dumps(item, sort_keys=True, default=str)
            if marker in seen:
                dupes.append(item)
            seen.add(marker)
        listed = ", ".join(repr(item) for item in dupes)
        return [diag("E203", f"{name} lists {listed} more than once", where, "remove the repeated entry")]
    if validator in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
        return [diag("E203", f"{name}: {_bound_message(validator, error)}", where, schema.get("x-hint", ""))]
    return [diag("E203", f"{name}: {error.message}", where, schema.get("x-hint", ""))]


def _best_branch_error(error):
    """For anyOf/oneOf, report the branch that matches the value's type, if any."""
    candidates = [sub for sub in error.context if sub.validator != "type"]
    chosen = candidates or list(error.context)
    return min(chosen, key=lambda sub: (len(sub.absolute_path) * -1, str(sub.message)))


def _bound_message(validator: str, error) -> str:
    bound = error.validator_value
    return {
        "minLength": "must not be empty" if bound == 1 else f"must be at least {bound} characters",
        "maxLength": f"must be at most {bound} characters (it has {len(error.instance)})",
        "minimum": f"must be at least {bound}, got {error.instance}",
        "maximum": f"must be at most {bound}, got {error.instance}",
        "minItems": f"must have at least {bound} item(s)",
        "maxItems": f"must have at most {bound} item(s)",
    }[validator]


def _property_description(schema: dict, key: str) -> str:
    text = schema.get("properties", {}).get(key, {}).get("description", "")
    return f"`{key}`: {text}" if text else ""


def _describe(path: tuple) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return f"`{text}`" if text else ""


_TYPE_WORDS = {
    "array": "a list",
    "object": "a mapping",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def _yaml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if value is None:
        return "an empty value"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__
