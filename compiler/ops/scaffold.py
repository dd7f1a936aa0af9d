"""`new-stage`: write spec/stages/<name>.yaml (with its schema line) and src/stages/<name>.py
(with `run(ctx)`), checked against the spec first, so the stage builds at once."""

from __future__ import annotations

import os
import re

from ..diagnostics import did_you_mean
from .errors import OpsError

STAGE_TEMPLATE = """\
# yaml-language-server: $schema=../../compiler/schemas/stage.schema.json
task_key: {task_key}
description: >-
  Describe what {name} does (shown in its notebook and in `explain`).
{depends}parameters: [{param}]
targets: [{targets}]
produces: []
consumes: []
tags: []
"""

SOURCE_TEMPLATE = '''\
"""Stage `{name}` (task {task_key}). Scaffolded by `make new-stage`; its contract is in
spec/stages/{name}.yaml."""


def run(ctx):
    catalog = ctx.params["{param}"]
    # Create resources through ctx.workspace (they are registered for cleanup automatically),
    # or the create-or-update helpers in stage_runtime.ensure.
    raise NotImplementedError(f"stage {name} is not implemented yet (catalog {{catalog!r}})")
'''


def task_key_for(name: str) -> str:
    return "_".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or name


def new_stage(compilation, name: str, after: str | None, targets: list[str]) -> tuple[str, str]:
    spec = compilation.spec
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,99}", name):
        raise OpsError("O140", f"stage name {name!r} is not an identifier", "use letters, digits and `_`, e.g. hello_world")
    if name in spec.stages:
        raise OpsError("O140", f"stage {name} already exists (spec/stages/{name}.yaml)", "pick another name")
    if after and after not in spec.stages:
        hint = did_you_mean(after, spec.stages) or "stages: " + ", ".join(spec.stages)
        raise OpsError("O140", f"AFTER names unknown stage {after!r}", hint)
    default = spec.default_target
    targets = targets or [default]
    for target in targets:
        if target not in spec.targets:
            raise OpsError("O140", f"unknown target {target!r}", did_you_mean(target, spec.targets) or
                           "targets: " + ", ".join(spec.targets))
    if after:  # the new stage must be able to run after AFTER in each of its targets
        missing = [t for t in targets if after not in compilation.resolved.targets[t].members]
        if missing:
            raise OpsError("O140", f"stage {after} is not in target(s) {', '.join(missing)}",
                           f"choose targets that include {after}, or add them to spec/stages/{after}.yaml")
    task_key = task_key_for(name)
    if any(s.task_key == task_key for s in spec.stages.values()):
        raise OpsError("O140", f"task key {task_key} is already used", "pick another stage name")
    param = spec.bundle.state_catalog_parameter
    spec_path = os.path.join(spec.spec_dir, "stages", f"{name}.yaml")
    source_path = os.path.join(spec.project_root, "src", "stages", f"{name}.py")
    if os.path.exists(source_path):
        raise OpsError("O140", f"{source_path} already exists", "remove it or pick another name")
    with open(spec_path, "w", encoding="utf-8") as handle:
        handle.write(STAGE_TEMPLATE.format(name=name, task_key=task_key, param=param, targets=", ".join(targets),
                                           depends=f"depends_on: [{after}]\n" if after else ""))
    os.makedirs(os.path.dirname(source_path), exist_ok=True)
    with open(source_path, "w", encoding="utf-8") as handle:
        handle.write(SOURCE_TEMPLATE.format(name=name, task_key=task_key, param=param))
    return spec_path, source_path
