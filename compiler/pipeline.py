"""The compiler as a list of named passes.

    load -> validate -> resolve targets -> check graph -> check sources -> check data flow
         -> render -> check output -> write

Each pass is a function over plain data that returns diagnostics. A pass with errors stops the
pipeline after it has reported all of its own errors (later passes would only repeat them).
Nothing is written unless every pass before `write` is clean.
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
    """Everything a caller may want after compiling: diagnostics plus the intermediate results."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    spec: object = None
    graph: object = None
    resolved: object = None
    files: dict[str, bytes] | None = None
    jobs: dict[str, dict] | None = None
    stopped_at: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # pass -> seconds (`build --timings`)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def compile_spec(spec_dir: str, through: str = "check_output", cache=None) -> Compilation:
    """Run the passes up to and including `through` ("check_dataflow" for validate-only).
    `cache` (cache.BuildCache) lets unchanged files skip parsing, validation and `ast`."""
    from .check_dataflow import check_dataflow
    from .check_graph import check_graph
    from .check_sources import check_sources
    from .graph import StageGraph
    from .load import load_spec
    from .model import build_model
    from .resolve import resolve_targets
    from .templating import SpecJinja
    from .validate import validate_spec

    result = Compilation()
    clock = [time.perf_counter()]

    def mark(name: str) -> None:
        now = time.perf_counter()
        result.timings[name] = now - clock[0]
        clock[0] = now

    def step(name: str, diags: list[Diagnostic]) -> bool:
        mark(name)
        result.diagnostics.extend(diags)
        if has_errors(diags):
            result.stopped_at = name
            return False
        return name != through

    loaded, diags = load_spec(spec_dir, cache)
    mark("load")
    # Validate whatever loaded, so one broken file does not hide schema errors in the others.
    diags += validate_spec(loaded, cache)
    if not step("validate", diags) or loaded.bundle is None:
        result.diagnostics = sort_unique(result.diagnostics)
        return result
    spec = build_model(loaded)
    graph = StageGraph(spec.stages)
    result.spec, result.graph = spec, graph
    resolved, diags = resolve_targets(spec, graph, SpecJinja())
    result.resolved = resolved
    if step("resolve", diags) and step("check_graph", check_graph(spec, graph, resolved)):
        _, diags = check_sources(spec, resolved, cache)
        if step("check_sources", diags) and step("check_dataflow", check_dataflow(spec, graph, resolved)):
            _render_and_check(result, spec, graph, resolved, step)
    result.diagnostics = sort_unique(result.diagnostics)
    return result


def _render_and_check(result: Compilation, spec, graph, resolved, step: Callable) -> None:
    from .check_output import check_output
    from .render import render_bundle, target_jobs

    from .graphs import graph_files

    result.jobs = target_jobs(spec, graph, resolved)
    result.files = render_bundle(spec, graph, resolved, result.jobs)
    result.files.update(graph_files(result))
    if step("render", []):
        step("check_output", check_output(spec, resolved, result.jobs))


def build(spec_dir: str, out_dir: str, fault=None) -> tuple[Compilation, object]:
    """Compile and, when clean, write. Returns the compilation and the write result (or None).
    When nothing changed since the last build (see incremental.py), only reads and hashes."""
    from . import incremental
    from .cache import BuildCache
    from .write import WriteResult, read_manifest, write_bundle

    problem = check_out_dir(spec_dir, out_dir)
    if problem:
        return Compilation(diagnostics=[problem]), None
    started = time.perf_counter()
    manifest = read_manifest(out_dir)
    if incremental.up_to_date(spec_dir, out_dir, manifest):
        previous = [Diagnostic(**d) for d in manifest.get("diagnostics", [])]
        result = Compilation(diagnostics=previous, stopped_at="up to date")
        result.timings["up to date"] = time.perf_counter() - started
        return result, WriteResult(unchanged=len(manifest["hashes"]))
    cache = BuildCache(out_dir, incremental.tool_key())
    result = compile_spec(spec_dir, cache=cache)
    if not result.ok or result.files is None:
        return result, None
    sources = sorted({stage.source for stage in result.spec.stages.values()})
    extra = {
        "fingerprint": incremental.fingerprint(spec_dir, sources),
        "sources": sources,
        "hashes": {rel: incremental.digest(data) for rel, data in sorted(result.files.items())},
        "diagnostics": [dataclasses.asdict(d) for d in result.diagnostics],
    }
    started = time.perf_counter()
    written, diags = write_bundle(out_dir, result.files, manifest_extra=extra, fault=fault)
    result.timings["write"] = time.perf_counter() - started
    result.diagnostics = sort_unique(result.diagnostics + diags)
    if not diags:
        cache.save()
    return result, (written if not diags else None)


def check_out_dir(spec_dir: str, out_dir: str) -> Diagnostic | None:
    """The output folder may not be (or contain) the spec or the project sources."""
    from .diagnostics import Where, diag

    out_real = os.path.realpath(out_dir)
    spec_real = os.path.realpath(spec_dir)
    project = os.path.dirname(spec_real)
    if out_real in (spec_real, project) or spec_real.startswith(out_real + os.sep) or \
            out_real.startswith(spec_real + os.sep) or out_real == os.path.join(project, "src"):
        return diag("E901", f"output folder {out_dir} overlaps the spec or the project itself", Where(out_dir),
                    "build into a folder of its own, e.g. --out build")
    return None
