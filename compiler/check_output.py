"""Pass 8, check output: every emitted job must load into databricks-bundles' typed models
(`Job.from_dict`, `Task.from_dict`), which reject unknown fields and bad enum values, the two
mistakes a pass-through of task settings can let in.

The job shell (settings without tasks) is checked once per target and each distinct task once,
so an error points at the spec line that produced it: the bundle's `job`, or the stage's `task` /
`targets.<t>` settings.
"""

from __future__ import annotations

import json

from .diagnostics import Diagnostic, diag
from .model import Spec
from .resolve import Resolved


def check_output(spec: Spec, resolved: Resolved, jobs: dict[str, dict]) -> list[Diagnostic]:
    """`jobs` maps target name -> the emitted job dict (as in targets/<t>.yml)."""
    from databricks.bundles.jobs import Job, Task

    diags: list[Diagnostic] = []
    checked: dict[str, str] = {}  # JSON of a checked fragment -> error ("" when valid)
    for target_name, job in jobs.items():
        shell = {k: v for k, v in job.items() if k != "tasks"}
        problem = _load(Job, shell, checked)
        if problem:
            diags.append(diag("E800", f"job settings rejected for target {target_name}: {problem}",
                              spec.bundle.file.where(("job",)),
                              "check the key and value against the Databricks job settings reference"))
        target = resolved.targets[target_name]
        for task in job["tasks"]:
            problem = _load(Task, task, checked)
            if not problem:
                continue
            stage = next(s for s in spec.stages.values() if s.task_key == task["task_key"])
            in_target = target_name in stage.targets and stage.name not in target.selected and stage.targets[target_name]
            path = ("targets", target_name) if in_target else ("task",)
            diags.append(diag("E800", f"task settings of stage {stage.name} rejected in target {target_name}: {problem}",
                              stage.file.where(path), "check the setting's name and value against the Databricks "
                              "job task reference"))
    return diags


def _load(model, data: dict, checked: dict[str, str]) -> str:
    key = model.__name__ + json.dumps(data, sort_keys=True)
    if key not in checked:
        try:
            model.from_dict(data)
            checked[key] = ""
        except (ValueError, TypeError, KeyError) as err:
            checked[key] = str(err)
    return checked[key]
