"""Pass 8, check output: emitted settings must load into databricks-bundles' typed models
(`Job.from_dict`, `Task.from_dict`), which reject unknown fields and bad enum values, the two
mistakes a pass-through of settings can let in.

What the compiler generates itself (task keys, dependencies, notebook tasks, parameters, the
cleanup job) and settings the JSON Schema constrains completely (`max_retries`, `run_if`, `queue`,
`performance_target`, ...) cannot fail here; tests/test_output_models.py loads every emitted job
of the Casper's and example specs through `Job.from_dict` to keep it so. The typed models are
therefore consulted, and their 0.3 s import paid, only for the free-form settings the schema
passes through as plain mappings (notifications, health rules, libraries).

The job shell (settings without tasks) is checked once per target. Tasks are checked by what
varies between them: the compiler-generated part (task key, dependencies, notebook task) once per
target in full, and each distinct set of stage settings once, so a thousand stages with the same
`max_retries: 0` cost one check. An error points at the spec line that produced it: the bundle's
`job`, or the stage's `task` / `targets.<t>` settings.
"""

from __future__ import annotations

import json

from .diagnostics import Diagnostic, diag
from .model import Spec
from .resolve import Resolved


FREE_FORM = {"email_notifications", "notification_settings", "webhook_notifications", "health", "libraries"}


def needs_models(jobs: dict[str, dict]) -> bool:
    return any(FREE_FORM & set(job) or any(FREE_FORM & set(task) for task in job["tasks"]) for job in jobs.values())


def check_output(spec: Spec, resolved: Resolved, jobs: dict[str, dict]) -> list[Diagnostic]:
    """`jobs` maps target name -> the emitted job dict (as in targets/<t>.yml)."""
    if not needs_models(jobs):
        return []
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
        generated = ("task_key", "depends_on", "notebook_task")
        for index, task in enumerate(job["tasks"]):
            settings = {k: v for k, v in task.items() if k not in generated}
            sample = task if index == 0 else {"task_key": "t", "notebook_task": {"notebook_path": "p"}, **settings}
            problem = _load(Task, sample, checked)
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
