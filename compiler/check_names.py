"""Names on the platform: a parameter whose value names something (a catalog), and the names the
stages derive from it (a Lakebase instance, an app), checked against the rules the spec declares
under `names` (the compiler knows no platform object of its own: the spec says which parameter,
which derivations, which rules).

For every target, the parameter's value (`${var.x}`, `${bundle.target}` and `${bundle.name}`
resolved as the CLI resolves them; a value only the workspace can complete is left to it) must
match the declared pattern and length (E311), and so must every name derived from it. Derived
names must be injective (E312): a derivation's character replacements may not map onto a character
the parameter itself allows (`a_b` and `a-b` would derive one name), and no two values the spec
knows, nor two derivations of one kind, may derive the same name.
"""

from __future__ import annotations

import re

from .diagnostics import Diagnostic, Where, diag
from .model import Spec


def derive(template: str, parameter: str, value: str, rule: dict) -> str:
    name = template.replace("{" + parameter + "}", value)
    if rule.get("lower"):
        name = name.lower()
    for old, new in (rule.get("replace") or {}).items():
        name = name.replace(old, new)
    return name


def check_names(spec: Spec, resolved) -> list[Diagnostic]:
    names = spec.bundle.file.data.get("names") or {}
    diags: list[Diagnostic] = []
    for parameter, rules in names.items():
        where_rules = spec.bundle.file.where(("names", parameter))
        if parameter not in spec.bundle.parameters:
            diags.append(diag("E303", f"`names` declares rules for `{parameter}`, which is not in the catalogue",
                              spec.bundle.file.where(("names", parameter), key=True),
                              "add it under `parameters`, or remove its `names` entry"))
            continue
        problem = _bad_regex(rules)
        if problem:
            diags.append(diag("E311", problem, where_rules, "fix the regular expression"))
            continue
        diags += _injective_by_construction(spec, parameter, rules)
        seen: dict[tuple[str, str], tuple[str, str, Where]] = {}  # (kind, derived name) -> (value, what, where)
        uses: dict[tuple[str, Where], list[str]] = {}  # one check per value and place, naming its targets
        for target in resolved.targets.values():
            if parameter not in target.parameters or target.parameters[parameter] is None:
                continue
            value = _resolved(spec, target.name, target.parameters[parameter])
            if "${" in value:
                continue  # completed by the CLI on the workspace (e.g. the user's name): checked there
            uses.setdefault((value, _value_where(spec, target, parameter)), []).append(target.name)
        for (value, where), targets in uses.items():
            label = ("target " if len(targets) == 1 else "targets ") + ", ".join(targets)
            diags += _check_one(parameter, value, rules, where, label, seen)
    return diags


def _bad_regex(rules: dict) -> str | None:
    for what, pattern in [("pattern", rules["pattern"])] + [
            (f"derived {name} pattern", d["pattern"]) for name, d in (rules.get("derived") or {}).items()]:
        try:
            re.compile(pattern)
        except re.error as err:
            return f"`names` {what} {pattern!r} is not a regular expression: {err}"
    return None


def _check_one(parameter: str, value: str, rules: dict, where: Where, target: str, seen: dict) -> list[Diagnostic]:
    diags = []
    if not re.fullmatch(rules["pattern"], value) or len(value) > rules["max_length"]:
        diags.append(diag("E311", f"{parameter} {value!r} ({target}) breaks the platform's naming rule: "
                                  f"{_rule_text(rules)}", where,
                          rules.get("description") or f"choose a {parameter.lower()} that matches {rules['pattern']}"))
        return diags
    derived_names = {}
    for name, rule in (rules.get("derived") or {}).items():
        derived = derive(rule["template"], parameter, value, rule)
        derived_names[name] = derived
        if not re.fullmatch(rule["pattern"], derived) or len(derived) > rule["max_length"]:
            diags.append(diag("E311", f"{parameter} {value!r} ({target}) derives the {name} {derived!r}, "
                                      f"which breaks its rule: {_rule_text(rule)}", where,
                              f"choose a shorter or plainer {parameter.lower()}: the {name} is "
                              f"{rule['template']} ({rule['kind']})"))
            continue
        key = (rule["kind"], derived)
        other = seen.get(key)
        if other is not None and (other[0] != value or other[1] != name):
            diags.append(diag("E312", f"{parameter} {value!r} ({target}) derives the {rule['kind']} name "
                                      f"{derived!r}, as {other[0]!r} does for its {other[1]}: two deployments would "
                                      "share it", where,
                              "give the targets different catalogs whose derived names differ", related=[other[2]]))
        seen.setdefault(key, (value, name, where))
    return diags


def _rule_text(rule: dict) -> str:
    return f"it must match {rule['pattern']} and have at most {rule['max_length']} characters"


def _injective_by_construction(spec: Spec, parameter: str, rules: dict) -> list[Diagnostic]:
    """A replacement is one-to-one only if what it writes is a character no valid value holds
    (probed: the character inside, before and after a valid-looking value)."""
    diags = []
    for name, rule in (rules.get("derived") or {}).items():
        writes = list((rule.get("replace") or {}).values())
        for new in writes:
            probes = [f"a{new}a", f"a{new}1", f"{new}a", f"a{new}"] if new else []
            reads = [old for old, to in (rule.get("replace") or {}).items() if to == new]
            if len(reads) > 1 or any(re.fullmatch(rules["pattern"], probe) for probe in probes):
                diags.append(diag("E312", f"the {name} derived from {parameter} replaces "
                                          f"{' and '.join(repr(r) for r in reads)} with {new!r}, which a valid "
                                          f"{parameter} may hold: two values would derive one name",
                                  spec.bundle.file.where(("names", parameter, "derived", name)),
                                  f"narrow the {parameter} pattern so it cannot hold {new!r}, or replace with "
                                  "a character it cannot hold"))
        if rule.get("lower") and any(re.fullmatch(rules["pattern"], probe) for probe in ("A", "aA", "Aa")):
            diags.append(diag("E312", f"the {name} derived from {parameter} is lower-cased, but a valid {parameter} "
                                      "may hold capitals: `Ab` and `ab` would derive one name",
                              spec.bundle.file.where(("names", parameter, "derived", name)),
                              f"allow lower-case letters only in the {parameter} pattern"))
    return diags


def _resolved(spec: Spec, target: str, value: str) -> str:
    from .bundle_vars import context, resolve

    variables = {name: v.get("default") for name, v in spec.bundle.variables.items()}
    values = context(spec.bundle.name, target, variables)
    del values["workspace.root_path"], values["workspace.file_path"]
    return resolve(str(value), values, strict=False)


def _value_where(spec: Spec, target, parameter: str) -> Where:
    declared = spec.targets[target.name]
    if parameter in declared.parameters:
        return declared.file.where(("parameters", parameter))
    default = spec.bundle.parameters[parameter].default or ""
    match = re.fullmatch(r"\$\{var\.([A-Za-z0-9_]+)\}", default.strip())
    if match and match.group(1) in spec.bundle.variables:
        return spec.bundle.file.where(("variables", match.group(1), "default"))
    return spec.bundle.file.where(("parameters", parameter, "default"))
