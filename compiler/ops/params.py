"""Job parameters given on the command line (`PARAMS="K=V ..."`, `--param K=V`): one parser and one
check, shared by run, run-local, state, destroy and destroy-local, so the same string means the
same thing in every command.

- Each item is NAME=VALUE; NAME must be a parameter of the target's job (did-you-mean otherwise).
- A value may not contain a comma: `databricks bundle run --params` splits on commas, so `run` would
  pass something else than the local commands did.
- The uc_state catalog parameter may not be empty (a cleanup of "" would mean nothing, a run would
  create objects in a catalog named "").
"""

from __future__ import annotations

from .errors import OpsError


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise OpsError("O101", f"cannot read parameter {pair!r}", "write NAME=VALUE, e.g. PARAMS=\"CATALOG=mine\"")
        values[name.strip()] = value
    return values


def resolve_value(value: str, variables: dict[str, str], target: str, bundle: str) -> str:
    """A catalogue default with the bundle's own substitutions resolved as the CLI would
    (bundle_vars.py); what only the workspace knows (the user) is left for the CLI."""
    from ..bundle_vars import context, resolve

    values = context(bundle, target, variables)
    del values["workspace.root_path"], values["workspace.file_path"]  # the user's folders: the CLI's to fill in
    return resolve(value, values, strict=False)


def target_parameters(compilation, target: str, pairs: list[str]) -> dict[str, str]:
    """The target's job parameters (defaults resolved) with the given overrides, checked."""
    from ..diagnostics import did_you_mean

    spec, resolved = compilation.spec, compilation.resolved
    overrides = parse_pairs(pairs)
    variables = {name: v["default"] for name, v in spec.bundle.variables.items()}
    params = {name: resolve_value(value or "", variables, target, spec.bundle.name)
              for name, value in resolved.targets[target].parameters.items()}
    for name in overrides:
        if name not in params:
            hint = did_you_mean(name, params) or ""
            raise OpsError("O102", f"target {target} has no parameter {name}",
                           (hint + " " if hint else "") + "its parameters: " + ", ".join(params))
    for name, value in overrides.items():
        if "," in value:
            raise OpsError("O103", f"the value of {name} contains a comma: {value!r}",
                           "`databricks bundle run --params` splits on commas, so the value cannot be passed as it is")
    params.update(overrides)
    state = spec.bundle.state_catalog_parameter
    if state in params and not params[state].strip():
        raise OpsError("O103", f"{state} is empty", f"give a catalog, e.g. PARAMS=\"{state}=mycatalog\"")
    _check_naming_rules(spec, overrides)
    return params


def overrides_only(compilation, target: str, pairs: list[str]) -> dict[str, str]:
    """Just the overrides, after the full check (what `run` passes to the CLI)."""
    target_parameters(compilation, target, pairs)
    return parse_pairs(pairs)


def _check_naming_rules(spec, overrides: dict[str, str]) -> None:
    """A value given here obeys the spec's `names` rules, as the build checked the defaults."""
    import re

    from ..check_names import derive

    for name, rules in (spec.bundle.file.data.get("names") or {}).items():
        value = overrides.get(name)
        if value is None:
            continue
        if not re.fullmatch(rules["pattern"], value) or len(value) > rules["max_length"]:
            raise OpsError("O103", f"{name}={value!r} breaks the platform's naming rule ({rules['pattern']}, at most "
                                   f"{rules['max_length']} characters)", rules.get("description", ""))
        for what, rule in (rules.get("derived") or {}).items():
            derived = derive(rule["template"], name, value, rule)
            if not re.fullmatch(rule["pattern"], derived) or len(derived) > rule["max_length"]:
                raise OpsError("O103", f"{name}={value!r} derives the {what} {derived!r}, which breaks its rule "
                                       f"({rule['pattern']}, at most {rule['max_length']} characters)",
                               rules.get("description", ""))
