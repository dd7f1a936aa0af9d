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
    c.files = render_bundle(c.spec, c.graph, c.resolved, c.jobs)
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
    Pass("render", ("spec", "graph", "resolved"), ("jobs", "files"), _render),
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
    When nothing changed since the last build (see incremental.py), only reads and hashes.
    `strict`: warnings stop the build too (nothing is written)."""
    from . import incremental
    from .cache import BuildCache
    from .write import WriteResult, check_out_dir, check_ownership, read_manifest, write_bundle

    problem = check_out_dir(spec_dir, out_dir)
    if problem:
        return Compilation(spec_dir=spec_dir, out_dir=out_dir, diagnostics=[problem]), None
    started = time.perf_counter()
    manifest = read_manifest(out_dir)
    if incremental.up_to_date(spec_dir, out_dir, manifest) and not (strict and manifest.get("diagnostics")):
        previous = [Diagnostic.from_dict(d) for d in manifest.get("diagnostics", [])]
        result = Compilation(spec_dir=spec_dir, out_dir=out_dir, diagnostics=previous, stopped_at="up to date")
        result.timings["up to date"] = time.perf_counter() - started
        return result, WriteResult(unchanged=len(manifest["hashes"]))
    cache = BuildCache(out_dir, incremental.tool_key())
    result = compile_spec(spec_dir, cache=cache, out_dir=out_dir)
    if not result.ok or result.files is None or (strict and result.diagnostics):
        return result, None
    problem = check_ownership(out_dir, manifest, list(result.spec.bundle.shipped_data))
    if problem:
        result.diagnostics = sort_unique(result.diagnostics + [problem])
        return result, None
    sources = sorted({stage.source for stage in result.spec.stages.values()})
    extra = {
        "fingerprint": incremental.fingerprint(spec_dir, sources, out_dir),
        "sources": sources,
        "hashes": {rel: incremental.digest(data) for rel, data in sorted(result.files.items())},
        "diagnostics": [dataclasses.asdict(d) for d in result.diagnostics],
        "shipped_data": sorted(result.spec.bundle.shipped_data),
    }
    started = time.perf_counter()
    written, diags = write_bundle(out_dir, result.files, manifest_extra=extra, fault=fault)
    result.timings["write"] = time.perf_counter() - started
    result.diagnostics = sort_unique(result.diagnostics + diags)
    if not diags:
        cache.save()
    return result, (written if not diags else None)
