"""Snapshots of the whole generated Casper's bundle: databricks.yml, every target file and every
generated notebook. A change here is a change to what deploys: review the diff like code
(`make test PYTEST_ARGS="--snapshot-update"` rewrites them; never do it blindly)."""

from __future__ import annotations

import pytest

from .conftest import ROOT, read_tree, run_compiler

TARGETS = sorted(p.stem for p in (ROOT / "spec" / "targets").glob("*.yaml"))
STAGES = sorted(p.stem for p in (ROOT / "spec" / "stages").glob("*.yaml"))


@pytest.fixture(scope="module")
def caspers_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("snap") / "build"
    run = run_compiler("build", "--out", str(out), cwd=ROOT)
    assert run.code == 0, run.err
    return read_tree(out)


def _text(files: dict, rel: str) -> str:
    return files[rel].decode("utf-8")


def test_databricks_yml(caspers_build, snapshot):
    assert _text(caspers_build, "databricks.yml") == snapshot


@pytest.mark.parametrize("target", TARGETS)
def test_target_file(caspers_build, snapshot, target):
    assert _text(caspers_build, f"targets/{target}.yml") == snapshot


@pytest.mark.parametrize("stage", STAGES)
def test_notebook(caspers_build, snapshot, stage):
    assert _text(caspers_build, f"stages/{stage}.py") == snapshot


def test_cleanup_notebook(caspers_build, snapshot):
    assert _text(caspers_build, "cleanup.py") == snapshot


def test_graphs_readme(caspers_build, snapshot):
    assert _text(caspers_build, "README.md") == snapshot


def test_nothing_else_is_generated(caspers_build):
    expected = {"databricks.yml", "cleanup.py", "README.md", *(f"targets/{t}.yml" for t in TARGETS),
                *(f"stages/{s}.py" for s in STAGES), *(f"graphs/{t}.mmd" for t in TARGETS)}
    runtime = {rel for rel in caspers_build if rel.startswith("src/stage_runtime/")}
    assert runtime, "the runtime package is shipped in the bundle"
    assets = {rel for rel in caspers_build if rel.startswith(("data/canonical/", "data/documents/", "pipelines/order_items/",
                                                              "pipelines/menu_documents/", "agents/", "jobs/", "apps/",
                                                              "caspers/", "sql_statements/"))}
    assert {"data/canonical/replay.py", "data/canonical/replay_core.py",
            "pipelines/order_items/transformations/transformation.py", "agents/refund/model.py",
            "agents/common/publish.py", "jobs/refund_recommender_stream.py", "jobs/refund_stream.py",
            "apps/refund_manager/app.yaml", "apps/refund_manager/refund_manager/static/index.html",
            "caspers/naming.py", "data/documents/generate.py", "data/documents/tables.py",
            "pipelines/menu_documents/transformations/menu_documents.py",
            "pipelines/menu_documents/menu_documents_logic.py", "caspers/agent_bricks.py", "sql_statements/__init__.py",
            "apps/refund_manager/sql_statements/__init__.py"} <= assets
    assert set(caspers_build) - runtime - assets == expected
