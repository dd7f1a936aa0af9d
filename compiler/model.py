"""The spec as plain data: what the passes after validation work on.

`build_model` only reshapes data that already passed its JSON Schema, so it does no checking
beyond what needs more than one file (that is the job of the resolve and check passes). Every
object keeps its `SpecFile`, so any later pass can point at the exact line it is talking about.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .load import LoadedSpec, SpecFile


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str | None
    description: str


@dataclass
class Bundle:
    name: str
    variables: dict[str, dict]
    workspace: dict[str, str]
    sync: dict[str, list]
    requirements: list[str]
    job: dict[str, Any]  # job settings except `key`
    job_key: str
    parameters: dict[str, Parameter]  # in catalogue order
    file: SpecFile
    state_catalog_parameter: str = "CATALOG"
    assets: dict[str, str] = field(default_factory=dict)  # bundle path -> project folder
    shipped_data: dict[str, str] = field(default_factory=dict)  # bundle path -> the command that writes it
    shipped_files: dict[str, list[str]] = field(default_factory=dict)  # bundle path -> what the stages read there
    cleanup_key: str = "cleanup"
    cleanup_name: str | None = None
    runtime: "RuntimeContract" = None  # set by _bundle


@dataclass(frozen=True)
class RuntimeContract:
    """What generated notebooks and the runtime (src/stage_runtime/) agree on; declared in the
    spec (`state`, `cleanup`, `runtime` of bundle.yaml), with these defaults."""

    state_schema: str = "_uc_state"
    forbidden_imports: tuple[str, ...] = ("stage_runtime.state",)
    target_parameter: str = "BUNDLE_TARGET"
    run_id_parameter: str = "JOB_RUN_ID"
    dry_run_parameter: str = "DRY_RUN"
    delete_adopted_parameter: str = "DELETE_ADOPTED"


@dataclass
class Stage:
    name: str
    task_key: str
    description: str
    depends_on: list[str]
    parameters: list[str]
    targets: dict[str, dict]  # target name -> per-target task settings ({} when none)
    opt_out: dict[str, str]
    task: dict[str, Any]
    produces: list[str]
    consumes: list[str]
    tags: list[str]
    requirements: list[str]
    source: str  # relative to the project root, e.g. src/stages/lakeflow.py
    file: SpecFile
    targets_is_list: bool = False
    async_produces: list[str] = field(default_factory=list)  # written by the stage's jobs, after it ends
    waits_for: list[str] = field(default_factory=list)  # async objects it waits for (bounded)


@dataclass
class Target:
    name: str
    description: str
    default: bool
    parameters: dict[str, str]
    select: str | None
    exclude: str | None
    file: SpecFile


@dataclass
class Spec:
    spec_dir: str
    project_root: str
    bundle: Bundle
    stages: dict[str, Stage] = field(default_factory=dict)  # sorted by name
    targets: dict[str, Target] = field(default_factory=dict)  # sorted by name

    @property
    def default_target(self) -> str | None:
        """The target marked `default: true` (the resolve pass makes sure there is exactly one)."""
        return next((name for name, target in self.targets.items() if target.default), None)


def build_model(loaded: LoadedSpec) -> Spec:
    spec_dir = loaded.spec_dir
    bundle = _bundle(loaded.bundle)
    stages = {f.name: _stage(f) for f in sorted(loaded.stages, key=lambda f: f.name)}
    targets = {f.name: _target(f) for f in sorted(loaded.targets, key=lambda f: f.name)}
    return Spec(spec_dir, os.path.dirname(spec_dir), bundle, stages, targets)


def _bundle(f: SpecFile) -> Bundle:
    d = f.data
    job = dict(d["job"])
    key = job.pop("key")
    params = {
        name: Parameter(name, p.get("default"), p["description"]) for name, p in d["parameters"].items()
    }
    return Bundle(
        name=d["name"],
        variables=dict(d.get("variables") or {}),
        workspace=dict(d["workspace"]),
        sync={k: list(v) for k, v in (d.get("sync") or {}).items()},
        requirements=list(d.get("requirements") or []),
        job=job,
        job_key=key,
        parameters=params,
        file=f,
        state_catalog_parameter=(d.get("state") or {}).get("catalog_parameter", "CATALOG"),
        cleanup_key=(d.get("cleanup") or {}).get("key", "cleanup"),
        cleanup_name=(d.get("cleanup") or {}).get("name"),
        runtime=_contract(d),
        assets=dict(d.get("assets") or {}),
        shipped_data={path: v if isinstance(v, str) else v["command"] for path, v in (d.get("shipped_data") or {}).items()},
        shipped_files={path: list(v["files"]) for path, v in (d.get("shipped_data") or {}).items() if isinstance(v, dict)},
    )


def _contract(d: dict) -> RuntimeContract:
    state, cleanup, runtime = d.get("state") or {}, d.get("cleanup") or {}, d.get("runtime") or {}
    default = RuntimeContract()
    return RuntimeContract(
        state_schema=state.get("schema", default.state_schema),
        forbidden_imports=tuple(runtime.get("forbidden_imports", default.forbidden_imports)),
        target_parameter=runtime.get("target_parameter", default.target_parameter),
        run_id_parameter=runtime.get("run_id_parameter", default.run_id_parameter),
        dry_run_parameter=cleanup.get("dry_run_parameter", default.dry_run_parameter),
        delete_adopted_parameter=cleanup.get("delete_adopted_parameter", default.delete_adopted_parameter),
    )


def _stage(f: SpecFile) -> Stage:
    d = f.data
    raw_targets = d.get("targets") or {}
    is_list = isinstance(raw_targets, list)
    targets = {t: {} for t in raw_targets} if is_list else {t: dict(s or {}) for t, s in raw_targets.items()}
    return Stage(
        name=f.name,
        task_key=d["task_key"],
        description=d["description"],
        depends_on=list(d.get("depends_on") or []),
        parameters=list(d.get("parameters") or []),
        targets=targets,
        opt_out=dict(d.get("opt_out") or {}),
        task=dict(d.get("task") or {}),
        produces=list(d.get("produces") or []),
        consumes=list(d.get("consumes") or []),
        tags=list(d.get("tags") or []),
        requirements=list(d.get("requirements") or []),
        source=d.get("source") or f"src/stages/{f.name}.py",
        file=f,
        targets_is_list=is_list,
        async_produces=list(d.get("async_produces") or []),
        waits_for=list(d.get("waits_for") or []),
    )


def _target(f: SpecFile) -> Target:
    d = f.data
    return Target(
        name=f.name,
        description=d["description"],
        default=bool(d.get("default", False)),
        parameters=dict(d.get("parameters") or {}),
        select=d.get("select"),
        exclude=d.get("exclude"),
        file=f,
    )
