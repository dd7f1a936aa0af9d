"""The compiler's pass registry (compiler/pipeline.py) and each pass called directly.

The registry says what each pass reads and writes; the first test holds it to that: every pass is
run on a state holding only what it declares it reads, and may change only what it declares it
writes. The others call one pass each on the example project, with one thing changed."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from compiler import pipeline
from compiler.pipeline import PASS_NAMES, PASSES, Compilation, compile_spec

from .conftest import EXAMPLES, copy_project

BOOKKEEPING = {"diagnostics", "timings", "stopped_at"}


def _pass(name: str) -> pipeline.Pass:
    return next(p for p in PASSES if p.name == name)


def _state_before(spec_dir: str, name: str, out_dir: str | None = None) -> Compilation:
    index = PASS_NAMES.index(name)
    return compile_spec(spec_dir, through=PASS_NAMES[index - 1], out_dir=out_dir) if index else \
        Compilation(spec_dir=spec_dir, out_dir=out_dir)


@pytest.mark.parametrize("name", PASS_NAMES)
def test_each_pass_reads_and_writes_what_the_registry_says(example, name):
    step = _pass(name)
    full = _state_before(str(example / "spec"), name, str(example / "build"))
    assert full.ok, full.diagnostics
    fields = {f.name for f in dataclasses.fields(Compilation)}
    assert set(step.reads) | set(step.writes) <= fields
    only = Compilation(**{f: getattr(full, f) for f in step.reads})  # nothing else is there
    before = {f: getattr(only, f) for f in fields}
    step.run(only)
    changed = {f for f in fields if getattr(only, f) is not before[f]}
    assert changed <= set(step.writes) | BOOKKEEPING, changed
    assert set(step.writes) <= changed


def test_through_must_name_a_pass(example):
    with pytest.raises(ValueError, match="unknown pass 'rendr'; passes: load, validate, model, resolve"):
        compile_spec(str(example / "spec"), through="rendr")
    assert compile_spec(str(example / "spec"), through="resolve").files is None  # stops where told


def test_load_keeps_going_so_validate_reports_every_file(example):
    (example / "spec" / "stages" / "ingest.yaml").write_text("task_key: [unclosed\n")
    (example / "spec" / "stages" / "report.yaml").write_text("task_key: Report\n")
    result = compile_spec(str(example / "spec"))
    assert result.stopped_at == "validate" and {d.code for d in result.diagnostics} == {"E101", "E202"}


def test_resolve_gives_members_settings_and_parameters(example):
    state = _state_before(str(example / "spec"), "resolve")
    assert _pass("resolve").run(state) == []
    prod = state.resolved.targets["prod"]
    assert prod.members == {"ingest", "transform", "report"} and prod.settings["report"] == {"max_retries": 0}
    assert prod.parameters == {"CATALOG": "${var.catalog}", "SCHEMA": "prod_raw", "WINDOW_DAYS": "7"}


def test_check_graph_reports_a_missing_dependency_per_target(example):
    stage = example / "spec" / "stages" / "transform.yaml"
    stage.write_text(stage.read_text().replace("targets: [dev, prod]", "targets: [dev, prod]\ndepends_on: [ingest]")
                     .replace("depends_on: [ingest]\n", "", 1))
    (example / "spec" / "stages" / "ingest.yaml").write_text(
        (example / "spec" / "stages" / "ingest.yaml").read_text().replace("targets: [dev, prod]", "targets: [dev]"))
    state = _state_before(str(example / "spec"), "check_graph")
    codes = [(d.code, d.message) for d in _pass("check_graph").run(state)]
    assert codes == [("E403", "stage transform is in target prod but its dependency ingest is not")]


def test_check_sources_records_what_each_stage_reads_and_uses(example):
    (example / "src" / "stages" / "report.py").write_text(
        "def run(ctx):\n    return ctx.params['CATALOG'], ctx.params['WINDOW_DAYS'], ctx.bundle_path('stages', 'x')\n")
    state = _state_before(str(example / "spec"), "check_sources")
    assert _pass("check_sources").run(state) == []
    facts = state.facts["report"]
    assert sorted(facts.reads) == ["CATALOG", "WINDOW_DAYS"] and facts.bundle_paths == [(("stages", "x"), True, 2, 62)]


def test_check_dataflow_wants_the_producer_first(example):
    stage = example / "spec" / "stages" / "report.yaml"
    stage.write_text(stage.read_text().replace("depends_on: [transform]", "depends_on: []"))
    state = _state_before(str(example / "spec"), "check_dataflow")
    assert [d.code for d in _pass("check_dataflow").run(state)] == ["E600", "E600"]  # in dev and in prod


def test_render_writes_nothing_and_returns_the_bundle(example):
    state = _state_before(str(example / "spec"), "render")
    assert _pass("render").run(state) == [] and not (example / "build").exists()
    assert {"databricks.yml", "targets/dev.yml", "stages/report.py", "cleanup.py", "README.md"} <= set(state.files)
    assert [t["task_key"] for t in state.jobs["prod"]["tasks"]] == ["Ingest", "Transform", "Report"]


def test_check_sync_sees_an_excluded_notebook(example):
    bundle = example / "spec" / "bundle.yaml"
    bundle.write_text(bundle.read_text().replace("requirements:", "sync:\n  exclude: [stages/report.py]\nrequirements:"))
    state = _state_before(str(example / "spec"), "check_sync", str(example / "build"))
    found = _pass("check_sync").run(state)
    assert [d.code for d in found] == ["E512"] and "the notebook of task Report" in found[0].message


def test_check_output_loads_free_form_settings_into_the_job_model(example):
    stage = example / "spec" / "stages" / "report.yaml"
    stage.write_text(stage.read_text().replace("    max_retries: 0", "    max_retries: 0\n    health: {rules: [{metric: X}]}"))
    state = _state_before(str(example / "spec"), "check_output")
    assert state.ok, state.diagnostics
    assert [d.code for d in _pass("check_output").run(state)] == ["E800"]


@pytest.fixture
def example(tmp_path):
    project = copy_project(EXAMPLES / "base", tmp_path / "example")
    shutil.rmtree(project / "build", ignore_errors=True)
    return project
