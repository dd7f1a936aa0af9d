"""Operator workflow against the workspace stand-in and a stand-in `databricks` executable on
PATH (local_workspace/cli/databricks), which records its arguments, working directory and environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from .conftest import ROOT, run_compiler
from .fake_env import ops, sdk_env  # noqa: F401 - ops is a fixture
from .graphs_expect import ONLY_EXPECTATIONS

ROOT_PATH = "/Workspace/Users/tester@example.com/caspers-kitchens-demo"


def test_deploy_runs_preflight_validate_deploy_in_build_and_prints_the_job_url(caspers, ops):
    run = ops.run(caspers, "deploy", "-t", "free")
    assert run.code == 0, run.err
    calls = ops.calls()
    assert [c["args"] for c in calls] == [["version"], ["current-user", "me", "--output", "json"],
                                          ["bundle", "validate", "-t", "free"], ["bundle", "deploy", "-t", "free"]]
    assert {c["cwd"] for c in calls} == {str(caspers / "build")}
    assert calls[-1]["env"]["DATABRICKS_HOST"] == ops.server.url
    job = _deployed_job(caspers, "free")
    assert f"deployed free: {ops.server.url}/#job/{job}" in run.out
    assert ops.server.store.objects["jobs"][str(job)]["settings"]["name"] == "Casper's Initializer"  # a link to it
    assert f"{ROOT_PATH}/stages/canonical_data" in ops.remote()  # a notebook, uploaded without .py
    assert ops.remote()[f"{ROOT_PATH}/stages/canonical_data"]["object_type"] == "NOTEBOOK"


@pytest.mark.parametrize("setup, message, hint", [
    ({"PATH": "/nonexistent"}, "the databricks CLI is not installed", "install.sh"),
    ({"FAKE_DATABRICKS_VERSION": "0.200.1"}, "the databricks CLI is too old for bundles: 0.200.1, need 0.218.0",
     "upgrade it"),
    ({"FAKE_DATABRICKS_UNAUTHENTICATED": "1"}, "the databricks CLI is not authenticated", "databricks auth login"),
])
def test_preflight_failures_are_one_line_with_the_fix(caspers, ops, setup, message, hint):
    extra = dict(setup)
    if "PATH" in extra:
        extra["PATH"] = "/usr/bin:/bin"  # python is found through sys.executable, not PATH
    run = ops.run(caspers, "deploy", "-t", "free", extra=extra)
    assert run.code == 1 and "Traceback" not in run.err
    assert f"error: {message}" in run.err and hint in run.err
    assert not any(c["args"][:2] == ["bundle", "deploy"] for c in ops.calls())


def test_unknown_target_is_refused_before_any_cli_call(caspers, ops):
    run = ops.run(caspers, "deploy", "-t", "fre")
    assert run.code == 1 and "unknown target 'fre'" in run.err and "did you mean `free`" in run.err
    assert ops.calls() == []


def test_cli_failure_is_reported_with_its_last_line(caspers, ops):
    run = ops.run(caspers, "deploy", "-t", "free", extra={"FAKE_DATABRICKS_FAIL": "bundle deploy"})
    assert run.code == 1 and "error: `databricks bundle deploy -t free` failed (exit 1)" in run.err
    assert "Error: bundle deploy failed (told to fail)" in run.err  # the CLI's own output, shown as it ran


def test_verify_finds_missing_stale_unexpected_and_excluded(caspers, ops):
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    clean = ops.run(caspers, "verify", "-t", "free")
    assert clean.code == 0, clean.out + clean.err
    files = ops.remote()
    del files[f"{ROOT_PATH}/stages/lakeflow"]
    files[f"{ROOT_PATH}/stages/canonical_data"]["modified_at"] = 0
    files[f"{ROOT_PATH}/stages/old_stage"] = dict(files[f"{ROOT_PATH}/cleanup"])
    files[f"{ROOT_PATH}/.databricks/bundle/free/deployment.json"] = dict(files[f"{ROOT_PATH}/cleanup"])
    files[f"{ROOT_PATH}/databricks.yml"] = dict(files[f"{ROOT_PATH}/cleanup"])  # in build/, git-ignored, not included
    run = ops.run(caspers, "verify", "-t", "free")
    assert run.code == 1
    assert "missing: stages/lakeflow" in run.out and "stale (older than the build): stages/canonical_data" in run.out
    assert "unexpected: stages/old_stage" in run.out
    assert "excluded but present: .databricks/bundle/free/deployment.json" in run.out
    assert "excluded but present: databricks.yml" in run.out


def test_destroy_then_deploy_does_a_full_sync(caspers, ops):
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    ops.reset_log()
    run = ops.run(caspers, "destroy", "-t", "free", "--yes")
    assert run.code == 0, run.err
    assert [c["args"] for c in ops.calls()][2:] == [
        ["bundle", "run", "cleanup", "-t", "free", "--params", "CATALOG=caspersdev"],
        ["bundle", "destroy", "-t", "free", "--auto-approve"]]
    record = caspers / "build" / ".databricks" / "bundle-compiler" / "free.json"
    assert json.loads(record.read_text())["catalog"] == "caspersdev"
    assert not any(p.startswith(ROOT_PATH) for p in ops.remote())
    after = ops.run(caspers, "verify", "-t", "free")  # says what happened, not "never deployed"
    assert after.code == 1 and "target free was destroyed at " in after.err and "(catalog caspersdev)" in after.err
    assert "never deployed" not in after.err and "make deploy TARGET=free" in after.err
    assert "free: destroyed at " in ops.run(caspers, "status").out
    # The stand-in CLI, like the real one, keeps its sync snapshot: a plain deploy would upload nothing.
    assert (caspers / "build" / ".databricks" / "bundle" / "free" / "sync-snapshots").exists()
    again = ops.run(caspers, "deploy", "-t", "free")
    assert again.code == 0 and "(full sync: free was destroyed since its last deploy)" in again.out
    assert not record.exists()
    assert ops.run(caspers, "verify", "-t", "free").code == 0
    assert "free: deployed " in ops.run(caspers, "status").out


def test_the_stale_snapshot_bug_is_real_in_the_stand_in(caspers, ops):
    """Control for the test above: deploying after a destroy without dropping the snapshot
    leaves the workspace empty, which `verify` catches."""
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    assert ops.run(caspers, "destroy", "-t", "free", "--yes").code == 0
    (caspers / "build" / ".databricks" / "bundle-compiler" / "free.json").unlink()
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    run = ops.run(caspers, "verify", "-t", "free")
    assert run.code == 1 and "missing: stages/canonical_data" in run.out


def test_destroy_dry_run_and_confirmation(caspers, ops):
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    ops.reset_log()
    dry = ops.run(caspers, "destroy", "-t", "free", "--dry-run", "--param", "CATALOG=mine")
    assert dry.code == 0
    assert [c["args"] for c in ops.calls()][-1] == ["bundle", "run", "cleanup", "-t", "free", "--params",
                                                   "CATALOG=mine,DRY_RUN=true"]
    ops.reset_log()
    refused = ops.run(caspers, "destroy", "-t", "free")  # no --yes and no answer on stdin
    assert refused.code != 0 and "Aborted" in refused.err
    assert not any(c["args"][:2] == ["bundle", "destroy"] for c in ops.calls())


def test_status_reports_deployments_and_a_newer_build(caspers, ops):
    assert ops.run(caspers, "status").out.startswith("no deployment recorded")
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    run = ops.run(caspers, "status")
    job = _deployed_job(caspers, "free")
    assert "free: deployed " in run.out and "by CLI 0.275.0" in run.out and f"caspers: {ops.server.url}/#job/{job}" in run.out
    assert "[build/ is newer" not in run.out
    stage = caspers / "spec" / "stages" / "lakeflow.yaml"
    stage.write_text(stage.read_text().replace("Creates or updates", "Creates or refreshes"))
    assert run_compiler("build", cwd=caspers).code == 0
    assert "[build/ is newer: deploy again]" in ops.run(caspers, "status").out


@pytest.mark.parametrize("target, selector, expected", ONLY_EXPECTATIONS)
def test_only_selectors_resolve_on_each_target(caspers_compiled, target, selector, expected):
    from compiler.ops.deploy import resolve_only

    assert resolve_only(caspers_compiled, target, selector) == expected


@pytest.fixture(scope="module")
def caspers_compiled(tmp_path_factory):
    """The catalogue's graph (a stage a user added is left out): what ONLY_EXPECTATIONS are about."""
    from compiler.pipeline import compile_spec

    from .conftest import catalogue_project

    project = catalogue_project(tmp_path_factory.mktemp("catalogue") / "caspers")
    return compile_spec(str(project / "spec"), through="check_dataflow")


def test_run_passes_the_resolved_task_keys_and_parameters(caspers, ops):
    never = ops.run(caspers, "run", "-t", "default")
    assert never.code == 1 and "target default was never deployed" in never.err and "[O114]" in never.err
    assert not any(c["args"][:2] == ["bundle", "run"] for c in ops.calls())
    assert ops.run(caspers, "deploy", "-t", "default").code == 0
    run = ops.run(caspers, "run", "-t", "default", "--only", "+Lakebase_Reverse_ETL", "--param", "CATALOG=x")
    assert run.code == 0, run.err
    keys = "Canonical_Data,Spark_Declarative_Pipeline,Refund_Recommender_Agent,Refund_Recommender_Stream,Lakebase_Reverse_ETL"
    assert f"tasks: {keys}" in run.out
    assert ops.calls()[-1]["args"] == ["bundle", "run", "caspers", "-t", "default", "--only", keys, "--params", "CATALOG=x"]
    bad = ops.run(caspers, "run", "-t", "free", "--only", "+menu_data")
    assert bad.code == 1 and "stage menu_data is not in target free" in bad.err
    assert not any(c["args"][:3] == ["bundle", "run", "caspers"] and "-t" in c["args"] and "free" in c["args"]
                   for c in ops.calls())


def test_hotfix_imports_reads_back_and_prints_the_repair(caspers, ops):
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    job = _deployed_job(caspers, "free")
    ops.server.store.put("_runs", 7777, {"run_id": 7777, "job_id": job, "state": {"life_cycle_state": "TERMINATED",
                                                                                 "result_state": "FAILED"}})
    source = caspers / "src" / "stages" / "lakeflow.py"
    source.write_text(source.read_text().replace("ALL_EVENTS_TIMEOUT_S = 1200", "ALL_EVENTS_TIMEOUT_S = 1800"))
    run = ops.run(caspers, "hotfix", "-t", "free", "--stage", "lakeflow")
    assert run.code == 0, run.err
    deployed = ops.remote()[f"{ROOT_PATH}/stages/lakeflow"]["content"]
    assert b"ALL_EVENTS_TIMEOUT_S = 1800" in deployed
    assert deployed == (caspers / "build" / "stages" / "lakeflow.py").read_bytes()
    assert "read it back: identical" in run.out
    assert "databricks jobs repair-run 7777" in run.out and '"rerun_tasks": ["Spark_Declarative_Pipeline"]' in run.out
    assert f"{ops.server.url}/#job/{job}/run/7777" in run.out


def _deployed_job(project, target: str, key: str = "caspers") -> int:
    """The id the (stand-in) CLI gave the bundle's job, from its deployment state."""
    import re

    from compiler.ops.deploy import job_urls

    return int(re.search(r"#job/(\d+)$", job_urls(str(project / "build"), target)[key]).group(1))


def test_graph_files_parse_back_to_the_target_edges(caspers, ops):
    from compiler.graphs import parse_mermaid_edges, target_edges
    from compiler.pipeline import compile_spec

    caspers_compiled = compile_spec(str(caspers / "spec"), through="check_dataflow")

    assert ops.run(caspers, "build").code == 0  # every build writes the Mermaid files and build/README.md
    before = {p: p.stat().st_mtime_ns for p in (caspers / "build").rglob("*") if p.is_file()}
    run = ops.run(caspers, "graph")
    assert run.code == 0, run.err
    after = {p: p.stat().st_mtime_ns for p in (caspers / "build").rglob("*") if p.is_file()}
    assert {p: t for p, t in after.items() if p.suffix not in (".svg", ".png")} == before  # drawing builds nothing
    one = ops.run(caspers, "graph", "--target", "default")
    assert [line for line in one.out.splitlines() if line.startswith("target ")] == [
        "target default: build/graphs/default.mmd (written by every build)"]
    readme = (caspers / "build" / "README.md").read_text()
    for target in caspers_compiled.resolved.targets:
        text = (caspers / "build" / "graphs" / f"{target}.mmd").read_text()
        _, edges = target_edges(caspers_compiled, target)
        assert sorted(parse_mermaid_edges(text)) == sorted(edges) and edges or target == "free"
        assert text.strip() in readme
    if shutil.which("dot"):
        svg = (caspers / "build" / ".local" / "graphs" / "menus.svg").read_text()
        assert svg.lstrip().startswith("<?xml") and "Menu_Supervisor" in svg
        assert (caspers / "build" / ".local" / "graphs" / "menus.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "apt-get install graphviz" in run.err


def test_pictures_and_screenshots_leave_the_build_its_own_folder(caspers, ops):
    """A fresh clone: `make graph` and the browser tests before the first build, then build, graph,
    screenshots and build again, and after a clean: every build passes (E901 refused them once)."""
    from .conftest import ROOT, SCREENSHOTS

    def screenshot():
        shot = caspers / SCREENSHOTS.relative_to(ROOT) / "page.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        shot.write_bytes(b"\x89PNG\r\n\x1a\n")

    assert ops.run(caspers, "graph").code == 0
    screenshot()
    for step in ("build", "graph", "build", "clean", "build"):
        run = ops.run(caspers, step)
        assert run.code == 0 and "E901" not in run.err, (step, run.err)
        screenshot()
    if shutil.which("dot"):
        assert (caspers / "build" / ".local" / "graphs" / "all.svg").exists()


@pytest.fixture
def catalogue(tmp_path):
    from .conftest import catalogue_project

    return catalogue_project(tmp_path / "catalogue")


def test_explain_answers_the_impact_questions(catalogue, ops):
    caspers = catalogue
    run = ops.run(caspers, "explain", "Spark_Declarative_Pipeline")
    assert run.code == 0
    assert "lakeflow (task Spark_Declarative_Pipeline)" in run.out
    assert "free='3'" in run.out and "default='0'" in run.out
    assert "  default: lakeflow and refunder_agent, refunder_stream, lakebase, apps" in run.out
    assert "  free: lakeflow only" in run.out


def test_new_stage_scaffolds_builds_and_shows_in_the_graph(caspers, ops):
    from .conftest import unused_stage_name

    hello = unused_stage_name(caspers, "hello")  # README's example may be in the spec already
    run = ops.run(caspers, "new-stage", hello, "--after", "lakeflow", "--targets", "free")
    assert run.code == 0, run.err
    spec = (caspers / "spec" / "stages" / f"{hello}.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=../../compiler/schemas/stage.schema.json\n")
    assert "depends_on: [lakeflow]" in spec and "targets: [free]" in spec
    assert "def run(ctx):" in (caspers / "src" / "stages" / f"{hello}.py").read_text()
    assert f"lakeflow --> {hello}" in (caspers / "build" / "graphs" / "free.mmd").read_text()
    # until its body is written, the new stage's notebook fails loudly, naming itself
    declared = yaml.safe_load(spec).get("parameters") or []
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env["STAGE_PARAMS_JSON"] = json.dumps({name: f"value-{name}" for name in declared})
    stub = subprocess.run([sys.executable, f"{hello}.py"], cwd=caspers / "build" / "stages", capture_output=True,
                          text=True, env=env, timeout=120)
    assert stub.returncode != 0 and f"NotImplementedError: stage {hello} is not implemented yet" in stub.stderr
    for args, message in (([hello], "already exists"), (["x1", "--after", "lakeflo"], "did you mean `lakeflow`"),
                          (["x2", "--targets", "menus", "--after", "lakeflow"], "not in target(s) menus"),
                          (["9x"], "is not an identifier")):
        bad = ops.run(caspers, "new-stage", *args)
        assert bad.code == 1 and message in bad.err, (args, bad.err)


def test_verify_and_hotfix_without_a_reachable_workspace_say_so(caspers, ops, tmp_path):
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    profile = tmp_path / "dead.cfg"  # nothing listens on port 9; retries capped the SDK's way, in the profile
    profile.write_text("[dead]\nhost = http://127.0.0.1:9\ntoken = x\nauth_type = pat\nretry_timeout_seconds = 2\n")
    dead = {"DATABRICKS_HOST": "http://127.0.0.1:9", "DATABRICKS_CONFIG_FILE": str(profile),
            "DATABRICKS_CONFIG_PROFILE": "dead"}
    for args in (["verify", "-t", "free"], ["hotfix", "-t", "free", "--stage", "lakeflow"]):
        run = ops.run(caspers, *args, extra=dead)
        assert run.code == 1 and "Traceback" not in run.err and "internal compiler error" not in run.err, run.err
        assert "error: " in run.err and "hint: " in run.err
