"""Build behaviour: determinism, adding a stage, incremental and atomic writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from compiler.pipeline import build
from compiler.write import recover

from .bundle_io import load_bundle, target_job, tasks_by_key
from .conftest import ROOT, copy_project, read_tree, run_compiler
from .notebook_shape import notebook_shape


def test_same_spec_same_bytes_whatever_hash_seed_or_file_order(tmp_path):
    # Two copies of the project, their files created in opposite orders.
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    files = sorted(p for part in ("spec", "src") for p in (ROOT / part).rglob("*") if p.is_file()
                   and "__pycache__" not in p.parts)
    for dest, order in ((forward, files), (backward, list(reversed(files)))):
        for path in order:
            target = dest / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    outputs, manifests = [], []
    for project, seed in ((forward, "1"), (backward, "4242"), (forward, "random")):
        out = tmp_path / f"out-{project.name}-{seed}"
        run = run_compiler("build", "--out", str(out), cwd=project, env={"PYTHONHASHSEED": seed})
        assert run.code == 0, run.err
        outputs.append(read_tree(out, skip=()))
    # every byte, the compiler's own state in .compiler/ included: no absolute path of the project or
    # of build/, no time, size or inode (the stat cache lives in the user's cache folder)
    assert sorted(outputs[0]) == sorted(outputs[1]) == sorted(outputs[2])
    assert ".compiler/manifest.json" in outputs[0] and ".compiler/cache.pickle" in outputs[0]
    assert outputs[0] == outputs[1] == outputs[2]


def test_adding_a_stage_is_one_spec_file_and_its_source(caspers):
    from .conftest import unused_stage_name

    before = run_compiler("build", cwd=caspers)
    assert before.code == 0, before.err
    old = read_tree(caspers / "build")
    name = unused_stage_name(caspers, "hello")  # README's own example may be in the spec already
    (caspers / "spec" / "stages" / f"{name}.yaml").write_text(
        f"task_key: Hello_{name}\n"
        "description: Says hello once the pipeline is up.\n"
        "depends_on: [lakeflow]\n"
        "parameters: [CATALOG]\n"
        "targets: [free]\n")
    (caspers / "src" / "stages" / f"{name}.py").write_text(
        "def run(ctx):\n    print(f\"hello from {ctx.params['CATALOG']}\")\n")
    after = run_compiler("build", cwd=caspers)
    assert after.code == 0, after.err
    new = read_tree(caspers / "build")
    job = target_job(load_bundle(caspers / "build"), "free")
    hello = tasks_by_key(job)[f"Hello_{name}"]
    assert hello["depends_on"] == [{"task_key": "Spark_Declarative_Pipeline"}]
    assert hello["notebook_task"]["notebook_path"] == f"../stages/{name}.py"
    assert "CATALOG" in [p["name"] for p in job["parameters"]]
    assert f"Hello_{name}" not in tasks_by_key(target_job(load_bundle(caspers / "build"), "default"))
    # `all` selects every stage that does not opt out, so the new stage joins it too.
    assert f"Hello_{name}" in tasks_by_key(target_job(load_bundle(caspers / "build"), "all"))
    changed = {rel for rel in new if old.get(rel) != new[rel]}
    assert changed == {"targets/free.yml", "targets/all.yml", f"stages/{name}.py",  # plus the drawings:
                       "graphs/free.mmd", "graphs/all.mmd", "README.md"}
    assert "Says hello once the pipeline is up." in new[f"stages/{name}.py"].decode()


def test_noop_rebuild_writes_nothing(example):
    assert run_compiler("build", cwd=example).code == 0
    stamps = {p: p.stat().st_mtime_ns for p in (example / "build").rglob("*") if p.is_file()}
    run = run_compiler("build", cwd=example)
    assert run.code == 0 and " 0 written, 0 removed" in run.out
    assert stamps == {p: p.stat().st_mtime_ns for p in (example / "build").rglob("*") if p.is_file()}


def test_touching_one_stage_rewrites_only_its_files(example):
    assert run_compiler("build", cwd=example).code == 0
    old = read_tree(example / "build")
    spec = example / "spec" / "stages" / "report.yaml"
    spec.write_text(spec.read_text().replace("Writes the report.", "Writes the weekly report."))
    run = run_compiler("build", cwd=example)
    assert run.code == 0
    new = read_tree(example / "build")
    assert {rel for rel in new if old[rel] != new[rel]} == {"stages/report.py"}
    assert "1 written" in run.out


def test_removed_stage_files_are_deleted_and_foreign_files_kept(example):
    assert run_compiler("build", cwd=example).code == 0
    (example / "build" / ".databricks").mkdir()
    (example / "build" / ".databricks" / "deployment.json").write_text('{"id": 1}')
    (example / "build" / "notes.txt").write_text("mine")
    (example / "spec" / "stages" / "report.yaml").unlink()
    (example / "src" / "stages" / "report.py").unlink()
    assert run_compiler("build", cwd=example).code == 0
    assert not (example / "build" / "stages" / "report.py").exists()
    assert (example / "build" / ".databricks" / "deployment.json").read_text() == '{"id": 1}'
    assert (example / "build" / "notes.txt").read_text() == "mine"


def test_clean_keeps_deployment_state(example):
    assert run_compiler("build", cwd=example).code == 0
    (example / "build" / ".databricks").mkdir()
    (example / "build" / ".databricks" / "x").write_text("state")
    assert run_compiler("clean", cwd=example).code == 0
    left = read_tree(example / "build", skip=())
    assert left == {".databricks/x": b"state"}


def _change_everything(project: Path) -> None:
    report = project / "spec" / "stages" / "report.yaml"
    report.write_text(report.read_text().replace("Writes the report.", "Writes a different report."))
    (project / "spec" / "stages" / "transform.yaml").unlink()
    (project / "src" / "stages" / "transform.py").unlink()
    report.write_text(report.read_text().replace("depends_on: [transform]\n", "depends_on: [ingest]\n")
                      .replace('  - "{CATALOG}.gold.daily"', '  - "{CATALOG}.{SCHEMA}.events"'))


def _count_steps(project: Path, out: Path) -> int:
    steps = []
    scratch = out.parent / "scratch"
    shutil.copytree(out, scratch)
    result, written = build(str(project / "spec"), str(scratch), fault=lambda step, path: steps.append(step))
    assert result.ok and written is not None
    return len(steps)


def test_a_crash_at_any_write_step_leaves_the_previous_build(example, monkeypatch):
    monkeypatch.chdir(example)
    out = example / "build"
    result, _ = build("spec", str(out))
    assert result.ok
    (out / ".databricks").mkdir()
    (out / ".databricks" / "terraform.tfstate").write_text("{}")
    before = read_tree(out, skip=())
    _change_everything(example)
    steps = _count_steps(example, out)
    assert steps > 5
    for crash_at in range(steps):
        seen = []

        def fault(step, path):
            seen.append(step)
            if len(seen) == crash_at + 1:
                raise OSError(f"injected failure at {step} {path}")

        result, written = build("spec", str(out), fault=fault)
        assert written is None and any(d.code == "E900" for d in result.diagnostics)
        assert read_tree(out, skip=()) == before, f"crash at step {crash_at} changed build/"
    result, written = build("spec", str(out))
    assert result.ok and written.removed == ["stages/transform.py"]
    assert (out / ".databricks" / "terraform.tfstate").read_text() == "{}"


def test_a_killed_build_is_rolled_back_by_the_next_one(example):
    out = example / "build"
    assert run_compiler("build", cwd=example).code == 0
    before = read_tree(out, skip=())
    _change_everything(example)
    script = (
        "import os, sys\n"
        "from compiler.pipeline import build\n"
        "count = []\n"
        "def fault(step, path):\n"
        "    count.append(step)\n"
        "    if step == 'swap' and count.count('swap') == 3:\n"
        "        os._exit(9)\n"
        "build('spec', 'build', fault=fault)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=example, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 9
    assert read_tree(out, skip=()) != before  # half-written: two files swapped in
    assert recover(str(out)) is True
    assert read_tree(out, skip=()) == before


def test_output_folder_may_not_overlap_the_project(example):
    for bad in (".", "spec", "spec/stages"):
        run = run_compiler("build", "--out", bad, cwd=example)
        assert run.code == 1 and "E901" in run.err and "Traceback" not in run.err


def test_a_filesystem_root_is_refused_before_anything_is_written(example):
    run = run_compiler("build", "--out", "/", cwd=example)
    assert run.code == 1 and "output folder / is a filesystem root [E901]" in run.err
    assert not os.path.exists("/.compiler") and not os.path.exists("/stages")


def test_a_foreign_folder_is_refused_and_left_as_it_was(example, tmp_path):
    foreign = tmp_path / "home"
    (foreign / "notes").mkdir(parents=True)
    (foreign / "notes" / "todo.txt").write_text("mine")
    (foreign / ".profile").write_text("x")
    before = read_tree(foreign, skip=())
    run = run_compiler("build", "--out", str(foreign), cwd=example)
    assert run.code == 1 and "holds files the compiler did not write (notes) [E901]" in run.err
    assert read_tree(foreign, skip=()) == before and not (foreign / ".compiler").exists()


def test_hidden_entries_and_shipped_data_do_not_make_a_folder_foreign(caspers):
    dataset = caspers / "build" / "data" / "canonical" / "canonical_dataset"
    dataset.mkdir(parents=True, exist_ok=True)
    (dataset / "events.parquet").write_bytes(b"x")  # `make data` ran before the first build
    (caspers / "build" / ".databricks").mkdir()
    run = run_compiler("build", cwd=caspers)
    assert run.code == 0, run.err
    assert (dataset / "events.parquet").read_bytes() == b"x"


def test_a_failed_first_build_leaves_no_new_folders(example, tmp_path):
    out = tmp_path / "fresh" / "bundle"
    script = (
        "from compiler.pipeline import build\n"
        "def fault(step, path):\n"
        "    if step == 'swap' and path.startswith('stages/'):\n"
        "        raise OSError('disk full')\n"
        f"result, written = build('spec', {str(out)!r}, fault=fault)\n"
        "assert written is None and any(d.code == 'E900' for d in result.diagnostics)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=example, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0
    assert not (tmp_path / "fresh").exists()


def test_hostile_values_round_trip_and_cannot_add_code(tmp_path):
    from .golden import EXAMPLES, materialise

    project = materialise(EXAMPLES / "good" / "hostile_values_survive", tmp_path / "p")
    assert run_compiler("build", cwd=project).code == 0
    spec_prod = yaml.safe_load((project / "spec" / "targets" / "prod.yaml").read_text())
    bundle = load_bundle(project / "build")
    params = {p["name"]: p["default"] for p in target_job(bundle, "prod", "main")["parameters"]}
    assert params["SCHEMA"] == spec_prod["parameters"]["SCHEMA"]
    clean = copy_project(Path(__file__).parent / "examples" / "base", tmp_path / "clean")
    assert run_compiler("build", cwd=clean).code == 0
    for name in ("ingest", "transform", "report"):
        hostile = (project / "build" / "stages" / f"{name}.py").read_text()
        plain = (clean / "build" / "stages" / f"{name}.py").read_text()
        assert notebook_shape(hostile) == notebook_shape(plain)
        assert _cells(hostile) == _cells(plain)
        assert "# MAGIC # COMMAND ----------" in (project / "build" / "stages" / "report.py").read_text()


def _cells(source: str) -> int:
    """Cells as Databricks splits them: lines that are exactly the separator."""
    return sum(line == "# COMMAND ----------" for line in source.splitlines())




@pytest.fixture(scope="module")
def caspers_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("stubs") / "build"
    assert run_compiler("build", "--out", str(out), cwd=ROOT).code == 0
    return out


STAGE_TABLE = ROOT / "docs" / "caspers.md"


@pytest.mark.parametrize("stage", sorted(p.stem for p in (ROOT / "spec" / "stages").glob("*.yaml")))
def test_a_stage_is_implemented_or_fails_loudly_and_the_docs_say_which(stage, caspers_out):
    """A stub's notebook fails naming itself (run here, without a workspace); an implemented stage
    needs a workspace, so its runs are the run-local tests'. The stage table of docs/caspers.md says
    what each of the demo's stages is; a stage a user adds needs no row there."""
    from .conftest import catalogue_stages

    row = next((line for line in STAGE_TABLE.read_text().splitlines() if line.startswith(f"| {stage} | ")), None)
    assert row is not None or stage not in catalogue_stages(), f"docs/caspers.md's stage table has no row for {stage}"
    if _stage_status(stage) == "implemented":
        assert row is None or "| implemented" in row, row
        return
    assert row is None or row.endswith("| not implemented |"), row
    notebook = yaml.safe_load((ROOT / "spec" / "stages" / f"{stage}.yaml").read_text())
    params = {name: f"value-{name}" for name in notebook.get("parameters", [])}
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    proc = subprocess.run([sys.executable, f"{stage}.py"], cwd=caspers_out / "stages", capture_output=True, text=True,
                          env={**env, "STAGE_PARAMS_JSON": json.dumps(params)}, timeout=120)
    assert proc.returncode != 0
    assert f"NotImplementedError: stage {stage} is not implemented yet" in proc.stderr


def _stage_status(stage: str) -> str:
    text = (ROOT / "src" / "stages" / f"{stage}.py").read_text()
    return "stub" if "raise NotImplementedError" in text else "implemented"


def _snapshot_outside(root: Path, build_dir: Path) -> dict:
    return {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*")
            if p.is_file() and build_dir not in p.parents}


def test_nothing_outside_build_is_written(example):
    before = _snapshot_outside(example.parent, example / "build")
    assert run_compiler("build", cwd=example).code == 0
    stage = example / "spec" / "stages" / "report.yaml"
    stage.write_text(stage.read_text() + "source: src/../../escape.py\n")
    assert run_compiler("build", cwd=example).code == 1
    after = _snapshot_outside(example.parent, example / "build")
    assert set(after) - set(before) == set() and {p for p in before if before[p] != after.get(p)} == {stage}


def test_a_symlink_inside_build_cannot_lead_writes_outside(example, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    assert run_compiler("build", cwd=example).code == 0  # a build of ours, then its stages/ swapped
    shutil.rmtree(example / "build" / "stages")
    (example / "build" / "stages").symlink_to(outside, target_is_directory=True)
    run = run_compiler("build", cwd=example)
    assert run.code == 1 and "E900" in run.err and "Traceback" not in run.err
    assert list(outside.iterdir()) == []


def test_stage_source_is_carried_exactly_and_cannot_split_cells(tmp_path):
    from .golden import EXAMPLES, materialise

    project = materialise(EXAMPLES / "good" / "hostile_values_survive", tmp_path / "p")
    assert run_compiler("build", cwd=project).code == 0
    notebook = (project / "build" / "stages" / "report.py").read_text()
    namespace: dict = {}
    exec(compile(notebook.split("# The stage contract")[0], "nb", "exec"), namespace)
    assert namespace["SOURCE"] == (project / "src" / "stages" / "report.py").read_text()
    assert _cells(notebook) == 5 and not any(line.startswith("# MAGIC %sh") for line in notebook.splitlines())


def test_json_and_strict_as_the_bundle_cli_has_them(tmp_path):
    import json

    from .golden import EXAMPLES, materialise

    project = materialise(EXAMPLES / "good" / "warnings_only", tmp_path / "p")
    strict = run_compiler("build", "--strict", cwd=project)
    assert strict.code == 1 and "build failed (--strict: warnings fail)" in strict.err
    assert not (project / "build").exists()
    assert run_compiler("validate", "--strict", cwd=project).code == 1
    as_json = run_compiler("build", "--json", cwd=project)
    assert as_json.code == 0 and as_json.err == ""
    document = json.loads(as_json.out)
    assert document["ok"] is True and document["written"] > 0
    w601 = next(d for d in document["diagnostics"] if d["code"] == "W601")
    assert w601["severity"] == "warning" and w601["related"] == [{"file": "spec/stages/backfill.yaml", "line": 7, "col": 5}]
    again = run_compiler("build", cwd=project)  # up to date: the stored diagnostics, places and all
    assert again.code == 0 and "  also: spec/stages/backfill.yaml:7:5" in again.err
    assert run_compiler("build", "--strict", cwd=project).code == 1  # up to date, still strict
    bad = materialise(EXAMPLES / "bad" / "duplicate_task_key", tmp_path / "bad")
    failed = run_compiler("validate", "--json", cwd=bad)
    assert failed.code == 1 and json.loads(failed.out)["ok"] is False


def test_the_runtime_contract_comes_from_the_spec(example):
    bundle = example / "spec" / "bundle.yaml"
    bundle.write_text(bundle.read_text() + "state: {schema: _my_state}\nruntime: {target_parameter: WHERE, "
                      "run_id_parameter: RUN}\ncleanup: {dry_run_parameter: ONLY_LIST}\n")
    assert run_compiler("build", cwd=example).code == 0
    notebook = (example / "build" / "stages" / "report.py").read_text()
    assert "'schema': '_my_state'" in notebook and "'target_parameter': 'WHERE'" in notebook
    job = yaml.safe_load((example / "build" / "targets" / "dev.yml").read_text())["targets"]["dev"]["resources"]["jobs"]
    assert job["main"]["tasks"][0]["notebook_task"]["base_parameters"] == {"WHERE": "${bundle.target}",
                                                                           "RUN": "{{job.run_id}}"}
    assert [p["name"] for p in job["cleanup"]["parameters"]] == ["CATALOG", "ONLY_LIST", "DELETE_ADOPTED"]
    assert "'state_schema': '_my_state'" in (example / "build" / "cleanup.py").read_text()
