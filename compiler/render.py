"""Pass 7, render: the bundle as a mapping of relative path -> bytes, nothing written yet.

Templates live in templates/ (Jinja, compiled once). Values never enter generated text raw:
YAML goes through `yamlout` (a YAML dumper), Python literals through `repr`, comments and
markdown lines through filters that keep them on their own comment lines, and pip requirements
through shell quoting.

Layout of build/:
  databricks.yml             bundle settings + `include:` of one file per target
  targets/<target>.yml       that target's job: parameters and one notebook task per stage
  stages/<stage>.py          generated notebook per stage (Databricks source format), carrying
                             the stage's own code (src/stages/<stage>.py) as a string literal
  cleanup.py                 the cleanup job's notebook (deletes what uc_state holds for a catalog)
  src/stage_runtime/...      the runtime the notebooks import, copied
  <asset path>/...           the bundle's `assets` folders (replay notebook, pipeline code), copied
"""

from __future__ import annotations

import functools
import os

from . import yamlout
from .graph import StageGraph
from .model import Spec
from .resolve import Resolved

from .files import RUNTIME_DIR, TEMPLATE_DIR, read as _read, scan, walk_files
from .notebook_text import comment, fill_notebook, magic, read_source, shell, source_literal  # noqa: F401
COMPILER_SYNC_EXCLUDES = [".compiler/**", ".local/**"]
COMPILER_SYNC_INCLUDES = ["stages/**", "src/**", "cleanup.py"]  # what the compiler writes and the jobs run

def py_literal(value, indent: int = 0) -> str:
    """A Python literal for plain data, one item per line; strings via repr (always escaped)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "".join(f"{pad}    {key!r}: {py_literal(item, indent + 4)},\n" for key, item in value.items())
        return "{\n" + inner + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(isinstance(item, str) for item in value) and sum(len(i) for i in value) < 80:
            return "[" + ", ".join(repr(item) for item in value) + "]"
        inner = "".join(f"{pad}    {py_literal(item, indent + 4)},\n" for item in value)
        return "[\n" + inner + pad + "]"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__} as a Python literal")


@functools.lru_cache(maxsize=None)
def template_env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters.update(yaml=yamlout.dump, comment=comment, magic=magic, shell=shell, py=py_literal)
    return env


def target_jobs(spec: Spec, graph: StageGraph, resolved: Resolved) -> dict[str, dict]:
    """The main job each target defines, as emitted (used by the output check). A stage's task is
    one shared dict in every target where it comes out the same (same settings, dependencies)."""
    shared: dict = {}
    return {name: _job(spec, target, graph.topological_order(target.members), shared)
            for name, target in resolved.targets.items()}


def cleanup_job(spec: Spec, target) -> dict:
    """The cleanup job of a target: deletes what uc_state holds for the CATALOG it is given."""
    param, contract = spec.bundle.state_catalog_parameter, spec.bundle.runtime
    default = target.parameters.get(param)
    if default is None and param in spec.bundle.parameters:
        default = spec.bundle.parameters[param].default
    return {
        "name": spec.bundle.cleanup_name or f"{target.job['name']}: cleanup",
        "max_concurrent_runs": 1,
        "parameters": [{"name": param, "default": default or ""}, {"name": contract.dry_run_parameter, "default": "false"},
                       {"name": contract.delete_adopted_parameter, "default": ""}],
        "tasks": [{"task_key": "cleanup", "notebook_task": {"notebook_path": "../cleanup.py"}, "max_retries": 0}],
    }


def render_bundle(spec: Spec, graph: StageGraph, resolved: Resolved, jobs: dict[str, dict],
                  skeletons: dict | None = None) -> dict[str, bytes]:
    """The bundle's files. `skeletons`, when given, receives each stage's notebook parts and
    description, which rebuild.py refills when only the stage's description or code changed."""
    env = template_env()
    files: dict[str, bytes] = {}
    files["databricks.yml"] = _encode(env.get_template("databricks.yml.j2").render(
        targets=list(resolved.targets), top=_top_level(spec, resolved)))
    target_template = env.get_template("target.yml.j2")
    blocks: dict[str, yamlout.Block] = {}  # a task's YAML, emitted once however many targets share it
    for name, target in resolved.targets.items():
        body: dict = {}
        if target.default:
            body["default"] = True
        job = dict(jobs[name], tasks=[_block(task, blocks) for task in jobs[name]["tasks"]])
        body["resources"] = {"jobs": {spec.bundle.job_key: job,
                                      spec.bundle.cleanup_key: cleanup_job(spec, target)}}
        stages = [graph.by_task_key[task["task_key"]] for task in jobs[name]["tasks"]]
        files[f"targets/{name}.yml"] = _encode(target_template.render(
            target=name, stages=stages, body={"targets": {name: body}}))
    for name, stage in spec.stages.items():
        parts = notebook_parts(spec, name)
        description = resolved.stage_descriptions[name]
        source = read_source(spec.project_root, stage.source)
        if parts is None:
            files[f"stages/{name}.py"] = _encode(_render_notebook(spec, name, description, source_literal(source)))
            continue
        files[f"stages/{name}.py"] = fill_notebook(parts, description, source)
        if skeletons is not None:
            skeletons[name] = (parts, description)
    contract = spec.bundle.runtime
    files["cleanup.py"] = _encode(env.get_template("cleanup.py.j2").render(
        requirements=spec.bundle.requirements, contract=contract, catalog_parameter=spec.bundle.state_catalog_parameter,
        job_literal=py_literal({"catalog_parameter": spec.bundle.state_catalog_parameter,
                                "state_schema": contract.state_schema,
                                "dry_run_parameter": contract.dry_run_parameter,
                                "delete_adopted_parameter": contract.delete_adopted_parameter})))
    files.update(runtime_files())
    for bundle_path, folder in spec.bundle.assets.items():
        files.update(asset_files(os.path.join(spec.project_root, folder), bundle_path, spec.project_root))
    return files


# A stage's notebook is its skeleton (everything the stage's spec decides) with two holes, filled
# with the description and the code: the full build and the one-stage rebuild fill them the same way.
_DESCRIPTION_HOLE = "@@description-hole-5b0d1e@@"
_SOURCE_HOLE = "\x00source-hole-5b0d1e\x00"  # a NUL never survives the escaping of the other values


def notebook_parts(spec: Spec, name: str) -> tuple[str, str, str] | None:
    """(before the description, between it and the code literal, after the literal), or None when
    a value of the stage's spec happens to contain a hole's text (the notebook is then rendered whole)."""
    text = _render_notebook(spec, name, _DESCRIPTION_HOLE, _SOURCE_HOLE)
    hole = magic(_DESCRIPTION_HOLE)
    if text.count(hole) != 1 or text.count(_SOURCE_HOLE) != 1 or text.index(hole) > text.index(_SOURCE_HOLE):
        return None
    before, rest = text.split(hole)
    middle, after = rest.split(_SOURCE_HOLE)
    return before, middle, after


def _render_notebook(spec: Spec, name: str, description: str, literal: str) -> str:
    stage = spec.stages[name]
    return template_env().get_template("notebook.py.j2").render(
        stage=stage,
        description=description,
        requirements=list(dict.fromkeys(spec.bundle.requirements + stage.requirements)),
        stage_literal=py_literal(_stage_record(spec, name)),
        source_literal=literal,
    )


def _block(task: dict, blocks: dict) -> "yamlout.Block":
    key = id(task)  # target_jobs shares one dict per distinct task across targets
    block = blocks.get(key)
    if block is None:
        block = blocks[key] = yamlout.Block(task)
    return block


def _top_level(spec: Spec, resolved: Resolved) -> dict:
    bundle = spec.bundle
    workspace = dict(bundle.workspace)
    top = {"bundle": {"name": bundle.name}}
    if bundle.variables:
        top["variables"] = {k: dict(v) for k, v in bundle.variables.items()}
    top["workspace"] = workspace
    top["sync"] = bundle_sync(spec)
    top["include"] = [f"targets/{name}.yml" for name in resolved.targets]
    return top


def bundle_sync(spec: Spec) -> dict[str, list[str]]:
    """The bundle's `sync`: the spec's patterns plus what the compiler ships (its own folders and
    the assets), since the build usually lies in a git-ignored folder (see check_sync.py)."""
    bundle = spec.bundle
    shipped = [f"{path}/**" for path in bundle.assets]
    shipped += [f"{path}/**" for path in bundle.shipped_data if not any(path.startswith(a + "/") for a in bundle.assets)]
    return {
        "include": list(dict.fromkeys(bundle.sync.get("include", []) + COMPILER_SYNC_INCLUDES + shipped)),
        "exclude": list(dict.fromkeys(bundle.sync.get("exclude", []) + COMPILER_SYNC_EXCLUDES)),
    }


def _job(spec: Spec, target, order: list[str], shared: dict) -> dict:
    job = dict(target.job)
    if target.parameters:
        job["parameters"] = [{"name": name, "default": value} for name, value in target.parameters.items()]
    tasks = []
    for name in order:
        settings = target.settings[name]
        key = (name, repr(settings)) if settings else name  # dependencies are the same in every target
        task = shared.get(key)
        if task is None:
            task = shared[key] = _task(spec, name, settings, target.members)
        tasks.append(task)
    job["tasks"] = tasks
    return job


def _task(spec: Spec, name: str, settings: dict, members: set[str]) -> dict:
    stage = spec.stages[name]
    task: dict = {"task_key": stage.task_key}
    deps = [spec.stages[d].task_key for d in stage.depends_on if d in members]
    if deps:
        task["depends_on"] = [{"task_key": key} for key in deps]
    # The runtime records the target and the run with every resource it registers.
    contract = spec.bundle.runtime
    task["notebook_task"] = {"notebook_path": f"../stages/{name}.py",
                             "base_parameters": {contract.target_parameter: "${bundle.target}",
                                                 contract.run_id_parameter: "{{job.run_id}}"}}
    task.update(settings)
    return task


def _stage_record(spec: Spec, name: str) -> dict:
    """What the runtime needs to know about the stage, embedded in its notebook."""
    stage = spec.stages[name]
    return {
        "name": stage.name,
        "task_key": stage.task_key,
        "spec": f"spec/stages/{name}.yaml",
        "source": stage.source,
        "parameters": list(stage.parameters),
        "produces": list(stage.produces),
        "async_produces": list(stage.async_produces),
        "consumes": list(stage.consumes),
        "waits_for": list(stage.waits_for),
        "state": {"catalog_parameter": spec.bundle.state_catalog_parameter,
                  "schema": spec.bundle.runtime.state_schema},
        "context": {"target_parameter": spec.bundle.runtime.target_parameter,
                    "run_id_parameter": spec.bundle.runtime.run_id_parameter},
    }


def asset_files(folder: str, bundle_path: str, project_root: str | None = None) -> dict[str, bytes]:
    """Every regular file of an asset folder (caches and hidden files aside), at its bundle path.
    What may not be read (links out of the project, FIFOs, devices) was refused by check_sources."""
    return {f"{bundle_path}/{rel}": _read(path) for path, rel, _ in scan(folder, project_root).files}


def runtime_files() -> dict[str, bytes]:
    """The runtime package, at src/stage_runtime/ in the bundle (its Python files only)."""
    return {f"src/stage_runtime/{rel}": _read(path) for path, rel in walk_files(RUNTIME_DIR) if rel.endswith(".py")}


def _encode(text: str) -> bytes:
    return text.encode("utf-8")
