"""Pass 3, resolve targets: which stages each target has, with which settings and parameters.

A stage joins a target by naming it in `targets`, or through the target's `select` selector
(unless the stage opts out). Settings are the stage's `task` overridden by its per-target entry;
parameters are exactly those the target's stages read, in catalogue order, each with the
catalogue default or the target's override. Jinja in values is rendered here, per target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic, did_you_mean, diag
from .graph import StageGraph
from .model import Spec
from .selectors import SelectorError, select
from .templating import SpecJinja


@dataclass
class ResolvedTarget:
    name: str
    description: str
    default: bool
    members: set[str]
    selected: set[str]  # members that joined through the selector
    settings: dict[str, dict]  # stage -> task settings (rendered)
    parameters: dict[str, str | None]  # name -> value, catalogue order (None: no value)
    job: dict  # job-level settings (rendered), without tasks and parameters


@dataclass
class Resolved:
    targets: dict[str, ResolvedTarget] = field(default_factory=dict)
    stage_descriptions: dict[str, str] = field(default_factory=dict)


def resolve_targets(spec: Spec, graph: StageGraph, jinja: SpecJinja) -> tuple[Resolved, list[Diagnostic]]:
    diags: list[Diagnostic] = [d for rule in NAME_RULES for d in rule(spec)]
    resolved = Resolved()
    variables = {name: v["default"] for name, v in spec.bundle.variables.items()}
    bundle_ctx = {"name": spec.bundle.name}
    for name, stage in spec.stages.items():
        ctx = {"bundle": bundle_ctx, "variables": variables, "stage": _stage_ctx(stage)}
        text, problem = jinja.render(stage.description, ctx, stage.file.where(("description",)))
        resolved.stage_descriptions[name] = text
        if problem:
            diags.append(problem)
    for target in spec.targets.values():
        rt, target_diags = _resolve_one(spec, graph, jinja, target, bundle_ctx, variables)
        resolved.targets[target.name] = rt
        diags += target_diags
    from .check_names import check_names

    diags += check_names(spec, resolved)
    return resolved, diags


def _stage_ctx(stage) -> dict:
    return {"name": stage.name, "task_key": stage.task_key, "tags": list(stage.tags)}


def _check_stage_targets(spec: Spec) -> list[Diagnostic]:
    """Targets a stage names (in `targets` or `opt_out`) exist."""
    diags, targets = [], list(spec.targets)
    if not spec.targets:
        return diags  # no targets at all is reported once (E308)
    for stage in spec.stages.values():
        for key in ("targets", "opt_out"):
            for t in getattr(stage, key):
                if t not in spec.targets:
                    listed = key == "targets" and stage.targets_is_list
                    path = (key, list(stage.targets).index(t)) if listed else (key, t)
                    diags.append(diag("E300", f"stage {stage.name} names unknown target `{t}`",
                                      stage.file.where(path, key=not listed),
                                      did_you_mean(t, targets) or "targets: " + ", ".join(targets)))
    return diags


def _check_stage_parameters(spec: Spec) -> list[Diagnostic]:
    """Parameters a stage reads are in the catalogue."""
    diags, catalogue = [], list(spec.bundle.parameters)
    for stage in spec.stages.values():
        for i, p in enumerate(stage.parameters):
            if p not in spec.bundle.parameters:
                diags.append(diag("E303", f"stage {stage.name} reads parameter `{p}`, which is not in the catalogue",
                                  stage.file.where(("parameters", i)),
                                  did_you_mean(p, catalogue) or "add it under `parameters` in spec/bundle.yaml"))
    return diags


def _check_target_parameters(spec: Spec) -> list[Diagnostic]:
    """Parameters a target overrides are in the catalogue."""
    diags, catalogue = [], list(spec.bundle.parameters)
    for target in spec.targets.values():
        for p in target.parameters:
            if p not in spec.bundle.parameters:
                diags.append(diag("E303", f"target {target.name} sets unknown parameter `{p}`",
                                  target.file.where(("parameters", p), key=True),
                                  did_you_mean(p, catalogue) or "add it under `parameters` in spec/bundle.yaml"))
    return diags


def _check_state_parameter(spec: Spec) -> list[Diagnostic]:
    """The uc_state catalog parameter is in the catalogue."""
    state_param = spec.bundle.state_catalog_parameter
    if state_param in spec.bundle.parameters:
        return []
    where = spec.bundle.file.where(("state", "catalog_parameter")) if "state" in spec.bundle.file.data \
        else spec.bundle.file.where(("parameters",), key=True)
    return [diag("E303", f"the uc_state catalog parameter `{state_param}` is not in the catalogue", where,
                 did_you_mean(state_param, list(spec.bundle.parameters)) or
                 "add it under `parameters`, or name another with `state: {catalog_parameter: ...}`")]


def _check_cleanup_key(spec: Spec) -> list[Diagnostic]:
    """The cleanup job and the main job have different resource keys."""
    if spec.bundle.cleanup_key != spec.bundle.job_key:
        return []
    return [diag("E307", f"the cleanup job and the main job share the resource key `{spec.bundle.job_key}`",
                 spec.bundle.file.where(("cleanup", "key")), "give `cleanup.key` another name")]


def _check_task_keys(spec: Spec) -> list[Diagnostic]:
    """Task keys are unique."""
    diags, owners = [], {}
    for stage in spec.stages.values():
        first = owners.setdefault(stage.task_key, stage.name)
        if first != stage.name:
            diags.append(diag("E307", f"task key `{stage.task_key}` is used by stages {first} and {stage.name}",
                              stage.file.where(("task_key",)), "task keys are unique; rename one of them",
                              related=[spec.stages[first].file.where(("task_key",))]))
    return diags


def _check_task_keys_name_no_other_stage(spec: Spec) -> list[Diagnostic]:
    """Selectors, `explain`, `hotfix` and `run ONLY=` take a stage's name or its task key: a task
    key that is another stage's name would make one word mean two stages."""
    diags = []
    for stage in spec.stages.values():
        other = spec.stages.get(stage.task_key)
        if other is not None and other.name != stage.name:
            diags.append(diag("E310", f"the task key of stage {stage.name} is `{stage.task_key}`, the name of stage "
                                      f"{other.name}: `{stage.task_key}` would mean both in selectors and commands",
                              stage.file.where(("task_key",)), "give the task key another name (task keys are "
                              "usually CamelCase: " + "".join(p.capitalize() for p in stage.task_key.split("_")) + "_Task)",
                              related=[other.file.where(())]))
    return diags


def _check_runtime_contract(spec: Spec) -> list[Diagnostic]:
    """The names the notebooks and the runtime agree on (spec `state`, `runtime`, `cleanup`) are
    parameters of the same jobs: two of them with one name, or one named like a catalogue
    parameter, would make one parameter carry two meanings."""
    contract = spec.bundle.runtime
    f = spec.bundle.file
    task = {"runtime.target_parameter": (contract.target_parameter, ("runtime", "target_parameter")),
            "runtime.run_id_parameter": (contract.run_id_parameter, ("runtime", "run_id_parameter"))}
    cleanup = {"state.catalog_parameter": (spec.bundle.state_catalog_parameter, ("state", "catalog_parameter")),
               "cleanup.dry_run_parameter": (contract.dry_run_parameter, ("cleanup", "dry_run_parameter")),
               "cleanup.delete_adopted_parameter": (contract.delete_adopted_parameter,
                                                    ("cleanup", "delete_adopted_parameter"))}
    diags = []
    for group in (task, cleanup):
        seen: dict[str, str] = {}
        for key, (name, path) in group.items():
            if name in seen:
                diags.append(diag("E309", f"`{key}` and `{seen[name]}` are both `{name}`", f.where(path),
                                  "give each its own parameter name", related=[f.where(group[seen[name]][1])]))
            seen.setdefault(name, key)
    for key, (name, path) in list(task.items()) + list(cleanup.items())[1:]:
        if name in spec.bundle.parameters:
            diags.append(diag("E309", f"`{key}` is `{name}`, a parameter of the catalogue too", f.where(path),
                              f"the compiler passes {name} itself; rename it here or in `parameters`",
                              related=[f.where(("parameters", name), key=True)]))
    return diags


def _check_defaults(spec: Spec) -> list[Diagnostic]:
    if not spec.targets:
        return [diag("E308", "the spec has no targets", spec.bundle.file.where(),
                     "add spec/targets/<name>.yaml with `description` and `default: true`")]
    defaults = [t for t in spec.targets.values() if t.default]
    if not defaults:
        return [diag("E301", "no target is marked `default: true`", spec.bundle.file.where(),
                     "set `default: true` in exactly one of: " + ", ".join(spec.targets))]
    if len(defaults) > 1:
        names = ", ".join(t.name for t in defaults)
        return [diag("E302", f"{len(defaults)} targets are marked `default: true` ({names})",
                     defaults[0].file.where(("default",)), "keep `default: true` in exactly one target",
                     related=[t.file.where(("default",)) for t in defaults[1:]])]
    return []


NAME_RULES = (_check_stage_targets, _check_stage_parameters, _check_target_parameters, _check_state_parameter,
              _check_cleanup_key, _check_task_keys, _check_task_keys_name_no_other_stage, _check_runtime_contract,
              _check_defaults)


def _resolve_one(spec, graph, jinja, target, bundle_ctx, variables):
    diags: list[Diagnostic] = []
    members = {name for name, stage in spec.stages.items() if target.name in stage.targets}
    selected: set[str] = set()
    if target.select:
        chosen, errors = select(target.select, graph)
        diags += [_selector_diag(target, "select", e) for e in errors]
        if target.exclude:
            dropped, errors = select(target.exclude, graph)
            diags += [_selector_diag(target, "exclude", e) for e in errors]
            chosen -= dropped
        chosen = {s for s in chosen if target.name not in spec.stages[s].opt_out}
        selected = chosen - members
        members |= chosen
    elif target.exclude:
        diags.append(diag("E305", "`exclude` without `select` has no effect", target.file.where(("exclude",)),
                          "add a `select`, or remove `exclude`"))
    if not members:
        diags.append(diag("W306", f"target {target.name} has no stages", target.file.where(),
                          "list the target in some stage's `targets`, or give it a `select`"))

    target_ctx = {"name": target.name, "default": target.default}
    ctx = {"bundle": bundle_ctx, "variables": variables, "target": target_ctx}
    description, problem = jinja.render(target.description, ctx, target.file.where(("description",)))
    diags += [problem] if problem else []
    job = jinja.render_tree(spec.bundle.job, ctx, spec.bundle.file, ("job",), diags)

    settings = {}
    for name in sorted(members):
        stage = spec.stages[name]
        stage_ctx = {"bundle": bundle_ctx, "variables": variables, "stage": _stage_ctx(stage)}
        merged = jinja.render_tree(stage.task, stage_ctx, stage.file, ("task",), diags)
        if name not in selected:
            per_target = jinja.render_tree(stage.targets.get(target.name, {}), dict(stage_ctx, target=target_ctx),
                                           stage.file, ("targets", target.name), diags)
            merged = {**merged, **per_target}
        settings[name] = merged

    parameters = _target_parameters(spec, jinja, target, members, ctx, diags)
    return ResolvedTarget(target.name, description, target.default, members, selected, settings, parameters, job), diags


def _target_parameters(spec, jinja, target, members, ctx, diags):
    read = {p for name in members for p in spec.stages[name].parameters}
    if members:  # the runtime reads the uc_state catalog in every task, declared or not
        read.add(spec.bundle.state_catalog_parameter)
    values: dict[str, str | None] = {}
    for name, param in spec.bundle.parameters.items():
        if name not in read:
            continue
        if name in target.parameters:
            where = target.file.where(("parameters", name))
            value, problem = jinja.render(target.parameters[name], ctx, where)
        elif param.default is not None:
            where = spec.bundle.file.where(("parameters", name, "default"))
            value, problem = jinja.render(param.default, ctx, where)
        else:
            value, problem = None, None
        diags += [problem] if problem else []
        values[name] = value
    for name in target.parameters:
        if name in spec.bundle.parameters and name not in read:
            diags.append(diag("W304", f"target {target.name} sets parameter `{name}`, which none of its stages reads",
                              target.file.where(("parameters", name), key=True),
                              "remove the override, or add a stage that reads it"))
    return values


def _selector_diag(target, key: str, error: SelectorError) -> Diagnostic:
    return diag("E305", f"invalid `{key}` selector in target {target.name}: {error.message}",
                target.file.where((key,)), error.hint)
