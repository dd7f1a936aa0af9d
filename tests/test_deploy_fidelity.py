"""What deploys is what runs: every target deployed with the stand-in `databricks` executable
(which uploads by the real CLI's rules, compiler/sync.py), then each target's job notebooks run
from the uploaded copy only, never from build/. A file the bundle needs but a deploy would skip
fails here."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from compiler.pipeline import compile_spec

from .conftest import EXAMPLES, ROOT, copy_project, fake_dataset, run_compiler
from .fake_env import ops  # noqa: F401 - fixture

ROOT_PATH = "/Workspace/Users/tester@example.com/caspers-kitchens-demo"


def download(remote: dict, root: str, dest: Path) -> list[str]:
    """The workspace folder as files: notebooks get their .py back, as the CLI strips it."""
    written = []
    for path, item in sorted(remote.items()):
        if not path.startswith(root + "/") or item["object_type"] == "DIRECTORY":
            continue
        rel = path[len(root) + 1:] + (".py" if item["object_type"] == "NOTEBOOK" else "")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(item["content"])
        written.append(rel)
    return written


def test_every_target_deploys_and_runs_from_the_uploaded_copy_only(tmp_path, ops, monkeypatch):  # noqa: F811
    from compiler.ops.deploy import job_urls
    from compiler.ops.local import run_cleanup, run_target
    from compiler.ops.params import target_parameters

    project = copy_project(ROOT, tmp_path / "caspers", git=True)
    fake_dataset(project / "build")
    compilation = compile_spec(str(project / "spec"), out_dir=str(project / "build"))
    targets = list(compilation.resolved.targets)
    for target in targets:
        run = ops.run(project, "deploy", "-t", target)
        assert run.code == 0, run.err
    uploaded = tmp_path / "uploaded"
    files = download(ops.remote(), ROOT_PATH, uploaded)
    assert "cleanup.py" in files and "databricks.yml" not in files  # git-ignored build/: only what is included
    assert "data/canonical/canonical_dataset/events.parquet" in files  # the shipped data

    for key, value in ops.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SPARK_REMOTE", raising=False)  # the stages' code and files, not the data plane:
    ops.server.store.config["execute_pipelines"] = False  # no Spark in the stages, so no inputs to run on
    # its experiments are the MLflow store the local runs log into (as `make workspace` shares build/.local's)
    ops.server.store.config["mlflow_uri"] = "sqlite:///" + str(uploaded / ".local" / "mlflow.db")
    for target in targets:
        runs = run_target(compilation, str(uploaded), target, target_parameters(compilation, target, []),
                          echo=lambda line: None)
        for stage_run in runs:  # every stage is implemented: each runs ok from the uploaded copy alone
            assert stage_run.result == "ok", (target, stage_run)

    objects = ops.server.store.objects
    bundle_jobs = {str(_job_id(url)) for t in targets for url in job_urls(str(project / "build"), t).values()}
    for key, job in objects.get("jobs", {}).items():  # jobs the stages created point at uploaded notebooks
        if key in bundle_jobs:
            continue  # the bundle's own jobs, which deploy made
        for task in job["settings"].get("tasks", []):
            path = (task.get("notebook_task") or {}).get("notebook_path")
            if path:
                assert path.startswith(str(uploaded) + "/") and Path(path + ".py").is_file(), path
    for pipeline in objects.get("pipelines", {}).values():
        spec = pipeline["spec"]
        assert Path(spec["root_path"]).is_dir()
        for library in spec["libraries"]:
            pattern = library["glob"]["include"]
            matched = [f for f in files if fnmatch.fnmatch(str(uploaded / f), pattern)]
            assert matched and all(f.endswith(".py") for f in matched), (pattern, matched)  # sources only

    assert run_cleanup(str(uploaded), "CATALOG", "caspersdev", dry_run=False) == 0  # the cleanup job's notebook
    # nothing live but the bundle's own jobs, which `bundle destroy` deletes (a deleted experiment stays,
    # soft-deleted, as on a workspace)
    assert ops.server.store.summary() == {"jobs": sorted(bundle_jobs)}
    for target in targets:
        assert ops.run(project, "destroy", "-t", target, "--yes").code == 0
    assert ops.server.store.summary() == {}


def _job_id(url: str) -> int:
    import re

    return int(re.search(r"#job/(\d+)$", url).group(1))


def test_the_stand_in_cli_and_verify_follow_the_same_rules(tmp_path, ops):  # noqa: F811
    """A nested ignore file, an include that overrides git, an exclude that removes an included
    file: the stand-in uploads exactly SyncRules.files(), and `verify` finds the deployment clean."""
    from compiler.sync import SyncRules

    project = copy_project(EXAMPLES / "base", tmp_path / "p")
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("/build/\n*.log\n")
    jobs = project / "src" / "jobs"
    for rel in ("weekly.py", "notes.log", "scratch/keep.sql", "scratch/tmp.sql", "README.md"):
        (jobs / rel).parent.mkdir(parents=True, exist_ok=True)
        (jobs / rel).write_text("# Databricks notebook source\nprint(1)\n" if rel.endswith(".py") else "x\n")
    bundle = (project / "spec" / "bundle.yaml").read_text()
    (project / "spec" / "bundle.yaml").write_text(bundle.replace("requirements:\n", (
        "sync:\n  include: [jobs/notes.log]\n  exclude: [\"**/README.md\", jobs/scratch/tmp.sql]\n"
        "assets:\n  jobs: src/jobs\nrequirements:\n")))
    assert run_compiler("build", cwd=project).code == 0
    (project / "build" / "jobs" / ".gitignore").write_text("scratch/\n")  # a nested ignore file in the bundle
    (project / "build" / "notes.log").write_text("local only\n")
    run = ops.run(project, "deploy", "-t", "dev")
    assert run.code == 0, run.err
    root = "/Workspace/Users/tester@example.com/example/files"
    remote = sorted(p[len(root) + 1:] for p, item in ops.remote().items()
                    if p.startswith(root + "/") and item["object_type"] != "DIRECTORY")
    expected = SyncRules.for_bundle(str(project / "build"), _sync_of(project), "dev").files()
    assert remote == sorted(p[:-3] if p.startswith("stages/") or p in ("cleanup.py", "jobs/weekly.py") else p
                            for p in expected)
    assert "jobs/notes.log" in remote  # included over *.log
    assert "jobs/scratch/keep.sql" in remote  # the nested ignore file does not beat the include of jobs/**
    assert "jobs/scratch/tmp.sql" not in remote and "jobs/README.md" not in remote  # excluded last
    assert "notes.log" not in remote and "databricks.yml" not in remote  # git-ignored, not included
    check = ops.run(project, "verify", "-t", "dev")
    assert check.code == 0, check.out + check.err
    assert "unexpected" not in check.out and "missing" not in check.out


def _sync_of(project: Path) -> dict:
    import yaml

    return yaml.safe_load((project / "build" / "databricks.yml").read_text())["sync"]


def test_a_file_that_stops_syncing_is_removed_from_the_workspace(tmp_path, ops):  # noqa: F811
    project = copy_project(ROOT, tmp_path / "caspers", git=True)
    fake_dataset(project / "build")
    assert ops.run(project, "deploy", "-t", "free").code == 0
    assert f"{ROOT_PATH}/data/canonical/README.md" in ops.remote()
    bundle = (project / "spec" / "bundle.yaml").read_text()
    (project / "spec" / "bundle.yaml").write_text(bundle.replace("  exclude:\n", "  exclude:\n    - data/canonical/README.md\n", 1))
    assert ops.run(project, "deploy", "-t", "free").code == 0
    assert f"{ROOT_PATH}/data/canonical/README.md" not in ops.remote()  # deleted, as the real CLI does
    assert f"{ROOT_PATH}/data/canonical/replay" in ops.remote()
    assert ops.run(project, "verify", "-t", "free").code == 0
