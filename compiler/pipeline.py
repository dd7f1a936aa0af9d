"""The compiler as a list of named passes.

    load -> validate -> model -> resolve -> check_graph -> check_sources -> check_dataflow
         -> render -> check_sync -> check_output            (then `build` writes)

Each pass is a function over plain data (the fields of `Compilation` it reads) that fills the
fields it writes and returns diagnostics. PASSES is the one registry: order, what each reads and
writes, and whether its errors stop the pipeline. A pass with errors stops the pipeline after it
has reported all of its own errors (later passes would only repeat them); `load` is the exception,
so one broken file does not hide schema errors in the others. Nothing is written unless every
pass is clean.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import Callable

from .diagnostics import Diagnostic, has_errors, sort_unique


@dataclass
class Compilation:
    """The pipeline's state: inputs, each pass's results, and the diagnostics so far."""

    spec_dir: str = ""
    out_dir: str | None = None  # the bundle root the build is for (its git-ignore rules matter)
    cache: object = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    loaded: object = None
    spec: object = None
    graph: object = None
    resolved: object = None
    facts: dict | None = None  # stage name -> check_sources.SourceFacts
    jobs: dict[str, dict] | None = None
    files: dict[str, bytes] | None = None
    skeletons: dict | None = None  # stage -> (notebook parts, description), for the one-stage rebuild
    stopped_at: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # pass -> seconds (`build --timings`)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def bundle_root(self) -> str:
        return self.out_dir or os.path.join(os.path.dirname(os.path.abspath(self.spec_dir)), "build")


@dataclass(frozen=True)
class Pass:
    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    run: Callable[[Compilation], list[Diagnostic]]
    stops_on_error: bool = True


def _load(c: Compilation) -> list[Diagnostic]:
    from .load import load_spec

    c.loaded, diags = load_spec(c.spec_dir, c.cache)
    return diags


def _validate(c: Compilation) -> list[Diagnostic]:
    from .validate import validate_spec

    return validate_spec(c.loaded, c.cache)


def _model(c: Compilation) -> list[Diagnostic]:
    from .graph import StageGraph
    from .model import build_model

    c.spec = build_model(c.loaded)
    c.graph = StageGraph(c.spec.stages)
    return []


def _resolve(c: Compilation) -> list[Diagnostic]:
    from .resolve import resolve_targets
    from .templating import SpecJinja

    c.resolved, diags = resolve_targets(c.spec, c.graph, SpecJinja())
    return diags


def _check_graph(c: Compilation) -> list[Diagnostic]:
    from .check_graph import check_graph

    return check_graph(c.spec, c.graph, c.resolved)


def _check_sources(c: Compilation) -> list[Diagnostic]:
    from .check_sources import check_sources

    c.facts, diags = check_sources(c.spec, c.resolved, c.cache)
    return diags


def _check_dataflow(c: Compilation) -> list[Diagnostic]:
    from .check_dataflow import check_dataflow

    return check_dataflow(c.spec, c.graph, c.resolved)


def _render(c: Compilation) -> list[Diagnostic]:
    from .graphs import graph_files
    from .render import render_bundle, target_jobs

    c.jobs = target_jobs(c.spec, c.graph, c.resolved)
    c.skeletons = {}
    c.files = render_bundle(c.spec, c.graph, c.resolved, c.jobs, c.skeletons)
    c.files.update(graph_files(c))
    return []


def _check_sync(c: Compilation) -> list[Diagnostic]:
    from .check_sync import check_sync

    return check_sync(c.spec, c.resolved, c.files, c.facts or {}, c.bundle_root)


def _check_output(c: Compilation) -> list[Diagnostic]:
    from .check_output import check_output

    return check_output(c.spec, c.resolved, c.jobs)


PASSES: tuple[Pass, ...] = (
    Pass("load", ("spec_dir", "cache"), ("loaded",), _load, stops_on_error=False),
    Pass("validate", ("loaded", "cache"), (), _validate),  # only diagnostics (and the cache of valid files)
    Pass("model", ("loaded",), ("spec", "graph"), _model),
    Pass("resolve", ("spec", "graph"), ("resolved",), _resolve),
    Pass("check_graph", ("spec", "graph", "resolved"), (), _check_graph),
    Pass("check_sources", ("spec", "resolved", "cache"), ("facts",), _check_sources),
    Pass("check_dataflow", ("spec", "graph", "resolved"), (), _check_dataflow),
    Pass("render", ("spec", "graph", "resolved"), ("jobs", "files", "skeletons"), _render),
    Pass("check_sync", ("spec", "resolved", "files", "facts", "out_dir"), (), _check_sync),
    Pass("check_output", ("spec", "resolved", "jobs"), (), _check_output),
)
PASS_NAMES = tuple(p.name for p in PASSES)


def compile_spec(spec_dir: str, through: str = "check_output", cache=None, out_dir: str | None = None) -> Compilation:
    """Run the passes up to and including `through` ("check_dataflow" for a check without
    rendering). `cache` (cache.BuildCache) lets unchanged files skip parsing, validation and
    `ast`; `out_dir` is the bundle root the result is for (default: build/ beside spec/)."""
    if through not in PASS_NAMES:
        raise ValueError(f"unknown pass {through!r}; passes: {', '.join(PASS_NAMES)}")
    result = Compilation(spec_dir=spec_dir, out_dir=out_dir, cache=cache)
    for step in PASSES:
        started = time.perf_counter()
        diags = step.run(result)
        result.timings[step.name] = time.perf_counter() - started
        result.diagnostics.extend(diags)
        if step.stops_on_error and has_errors(result.diagnostics):
            result.stopped_at = step.name
            break
        if step.name == "validate" and result.loaded.bundle is None:  # nothing to build a model from
            result.stopped_at = step.name
            break
        if step.name == through:
            break
    result.diagnostics = sort_unique(result.diagnostics)
    return result


def build(spec_dir: str, out_dir: str, fault=None, strict: bool = False) -> tuple[Compilation, object]:
    """Compile and, when clean, write. Returns the compilation and the write result (or None).
    When nothing changed since the last build (see incremental.py), only reads and hashes; when
    only stages' descriptions or code changed, re-renders their notebooks only (rebuild.py).
    `strict`: warnings stop the build too (nothing is written)."""
    from . import incremental
    from .write import WriteResult, check_out_dir, read_manifest_checked

    problem = check_out_dir(spec_dir, out_dir)
    if problem:
        return Compilation(spec_dir=spec_dir, out_dir=out_dir, diagnostics=[problem]), None
    started = time.perf_counter()
    problem = _recover(out_dir)
    manifest, damaged = read_manifest_checked(out_dir)
    if problem or damaged:
        return Compilation(spec_dir=spec_dir, out_dir=out_dir, diagnostics=[problem or damaged]), None
    todo = incremental.plan(spec_dir, out_dir, manifest)
    previous = [Diagnostic.from_dict(d) for d in manifest.get("diagnostics", [])]
    if not (strict and previous) and todo.kind == "noop":
        result = Compilation(spec_dir=spec_dir, out_dir=out_dir, diagnostics=previous, stopped_at="up to date")
        result.timings["up to date"] = time.perf_counter() - started
        return result, WriteResult(unchanged=len(manifest["hashes"]))
    if not (strict and previous) and todo.kind == "stages":
        done = _rebuild(spec_dir, out_dir, manifest, todo, previous, fault)
        if done is not None:
            done[0].timings["stages rebuilt"] = time.perf_counter() - started
            return done
    return _full_build(spec_dir, out_dir, manifest, todo, strict, fault)


def _recover(out_dir: str) -> Diagnostic | None:
    """Roll back a build killed mid-write, before anything reads build/."""
    from .diagnostics import Where, diag
    from .write import DamagedState, recover

    try:
        recover(os.path.abspath(out_dir))
    except DamagedState as err:
        return diag("E902", f"an interrupted build left a damaged journal: {err}", Where(out_dir),
                    "the previous build cannot be restored safely: delete the folder's generated files (keep "
                    ".databricks/, the CLI's state) or build into another folder with --out")
    return None


def _rebuild(spec_dir, out_dir, manifest, todo, previous, fault):
    from . import incremental
    from .rebuild import rebuild_stages
    from .write import write_partial

    files = rebuild_stages(spec_dir, out_dir, manifest, todo.changed, previous)
    if files is None:
        return None
    record = dict(manifest, inputs=incremental.digests(todo.current))
    record["hashes"] = dict(manifest["hashes"], **{rel: incremental.digest(data) for rel, data in files.items()})
    written, diags = write_partial(out_dir, files, record, fault=fault)
    result = Compilation(spec_dir=spec_dir, out_dir=out_dir, diagnostics=sort_unique(previous + diags),
                         stopped_at="stages rebuilt")
    if not diags:
        unwritten = {rel: state for rel, state in todo.outputs.items() if rel not in files}
        incremental.save_stats(out_dir, todo.current, todo.hashed_at, record["hashes"], unwritten)
    return result, (written if not diags else None)


def _full_build(spec_dir, out_dir, manifest, todo, strict, fault):
    from . import incremental
    from .cache import BuildCache
    from .write import check_ownership, write_bundle

    tool_key = incremental.digest(repr(sorted(incremental.hash_inputs(incremental.tool_paths(), {}, {}, 0).items()))
                                  .encode())
    cache = BuildCache(out_dir, tool_key)
    result = compile_spec(spec_dir, cache=cache, out_dir=out_dir)
    if not result.ok or result.files is None or (strict and result.diagnostics):
        return result, None
    problem = check_ownership(out_dir, manifest, list(result.spec.bundle.shipped_data))
    if problem:
        result.diagnostics = sort_unique(result.diagnostics + [problem])
        return result, None
    extra, inputs = _manifest_record(result, spec_dir, out_dir, todo)
    started = time.perf_counter()
    written, diags = write_bundle(out_dir, result.files, manifest_extra=extra, fault=fault)
    result.timings["write"] = time.perf_counter() - started
    result.diagnostics = sort_unique(result.diagnostics + diags)
    if not diags:
        cache.save()
        from .rebuild import save_skeletons

        save_skeletons(out_dir, result.skeletons or {})
        incremental.save_stats(out_dir, inputs, todo.hashed_at, extra["hashes"])
    return result, (written if not diags else None)


def _manifest_record(result: Compilation, spec_dir: str, out_dir: str, todo) -> tuple[dict, dict]:
    """What the next build needs to know what changed (incremental.py, rebuild.py)."""
    from . import incremental
    from .check_sources import source_path
    from .load import display_path
    from .notebook_text import read_source
    from .rebuild import code_shape, skeleton_digest, stage_shape

    spec = result.spec
    record = {
        "sources": sorted({stage.source for stage in spec.stages.values()}),
        "assets": sorted(spec.bundle.assets.values()),
        "shipped_data": sorted(spec.bundle.shipped_data),
        "hashes": {rel: incremental.digest(data) for rel, data in sorted(result.files.items())},
        "diagnostics": [dataclasses.asdict(d) for d in result.diagnostics],
    }
    inputs = incremental.hash_inputs(*incremental.input_paths(spec_dir, out_dir, record), todo.current, todo.hashed_at)
    record["inputs"] = incremental.digests(inputs)
    stages = {}
    for name, stage in spec.stages.items():
        skeleton = (result.skeletons or {}).get(name)
        code = code_shape(read_source(spec.project_root, stage.source), spec.bundle.runtime.forbidden_imports)
        if skeleton is None or code is None:
            continue
        stages[name] = {"spec": f"spec/stages/{name}.yaml", "source": f"project/{stage.source}",
                        "shape": stage_shape(stage.file.data), "facts": code,
                        "skeleton": skeleton_digest(skeleton[0]),
                        "forbidden_imports": list(spec.bundle.runtime.forbidden_imports),
                        "shown": [stage.file.display, display_path(source_path(spec, stage))]}
    record["stages"] = stages
    return record, inputs


