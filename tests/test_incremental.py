"""What a rebuild notices and what it redoes: every byte a deploy ships is in the fingerprint (an edit
in any asset folder, the shipped data, a lock file), a stage's description or code edit re-renders
that notebook only and gives the same bytes as a full build, anything else builds in full; damaged
state is refused or rebuilt, never a traceback; and the platform facts the compiler now checks
(the CLI's path substitutions, the naming rules the Casper's stages apply)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from compiler.pipeline import build

from .conftest import EXAMPLES, ROOT, copy_project, read_tree, run_compiler
from .fake_env import ops  # noqa: F401

ASSET_FOLDERS = ["src/data/canonical", "src/data/documents", "src/pipelines/order_items", "src/pipelines/menu_documents",
                 "src/agents", "src/jobs", "src/apps", "src/apps/appkit", "src/caspers"]


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(ROOT, tmp_path / "caspers")


def _build(project: Path):
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return build("spec", "build")
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("folder", ASSET_FOLDERS)
def test_an_edit_in_any_asset_folder_is_rebuilt_and_shipped(project, folder):
    assert _build(project)[1] is not None
    assert _build(project)[0].stopped_at == "up to date"
    victim = sorted(p for p in (project / folder).rglob("*.py") if "__pycache__" not in p.parts)[0]
    victim.write_text(victim.read_text() + "\n# edited\n")
    result, written = _build(project)
    assert result.stopped_at != "up to date"
    spec_assets = {"src/apps/appkit": "apps/refund_manager/appkit"}
    bundle_folder = next(b for b, f in result.spec.bundle.assets.items() if f == folder) if folder not in spec_assets \
        else spec_assets[folder]
    rel = f"{bundle_folder}/{victim.relative_to(project / folder).as_posix()}"
    assert rel in written.written
    assert (project / "build" / rel).read_bytes() == victim.read_bytes()


def test_shipped_data_and_lock_files_are_inputs(project):
    assert _build(project)[1] is not None
    data = project / "build" / "data" / "canonical" / "canonical_dataset"
    data.mkdir(parents=True)
    (data / "brands.parquet").write_bytes(b"PAR1")
    assert _build(project)[0].stopped_at == ""  # a full build: the new data is checked against the sync rules
    assert _build(project)[0].stopped_at == "up to date"
    (data / "brands.parquet").write_bytes(b"PAR2")  # same size: the stat differs, the content is re-read
    assert _build(project)[0].stopped_at == ""
    (project / "requirements-extra.lock").write_text("requests==2.34.2\n")
    assert _build(project)[0].stopped_at == ""


def test_a_same_size_edit_with_the_old_mtime_is_still_seen(project):
    assert _build(project)[1] is not None
    source = project / "src" / "stages" / "lakeflow.py"
    text = source.read_text()
    before = source.stat()
    source.write_text(text.replace("ALL_EVENTS_TIMEOUT_S = 1200", "ALL_EVENTS_TIMEOUT_S = 1300"))
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    result, written = _build(project)
    assert written.written == ["stages/lakeflow.py"]


def _read_by_hashing(monkeypatch) -> list[str]:
    """The files incremental.py opens to hash, from now on."""
    import builtins

    from compiler import incremental

    opened: list[str] = []

    def spy(path, mode="r", *args, **kwargs):
        if mode == "rb":
            opened.append(os.fspath(path))
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(incremental, "open", spy, raising=False)
    return opened


def test_the_stat_cache_lives_outside_build_and_only_serves_its_own_manifest(project, monkeypatch):
    from compiler import incremental
    from compiler.incremental import stats_path

    monkeypatch.setattr(incremental, "RACY_NS", 0)  # the copy was just made: no file is old enough for 2 s
    assert _build(project)[1] is not None
    assert not (project / "build" / ".compiler" / "stats.json").exists()
    assert Path(stats_path(str(project / "build"))).is_file()
    opened = _read_by_hashing(monkeypatch)
    assert _build(project)[0].stopped_at == "up to date"
    sources = [p for p in opened if os.path.join(project, "spec") in p or os.path.join(project, "src") in p]
    assert sources == []  # their stats matched: not one spec file or source was read again
    manifest = project / "build" / ".compiler" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes() + b"\n")  # another manifest: the stats recorded beside the old one
    opened.clear()
    assert _build(project)[0].stopped_at == "up to date"
    assert any(p.endswith(os.path.join("src", "stages", "lakeflow.py")) for p in opened)  # no longer trusted


def test_the_stat_cache_remembers_a_bounded_number_of_build_folders(project, monkeypatch, tmp_path):
    from compiler import incremental

    monkeypatch.setenv("BUNDLEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(incremental, "KEEP_STATS", 2)
    for name in ("one", "two", "three"):
        os.chdir(project)
        try:
            assert build("spec", str(tmp_path / name))[1] is not None
        finally:
            os.chdir(ROOT)
    kept = {p.name for p in (tmp_path / "cache" / "stats").iterdir()}
    assert kept == {os.path.basename(incremental.stats_path(str(tmp_path / n))) for n in ("two", "three")}
    incremental.forget_stats(str(tmp_path / "three"))  # what `clean` does
    assert not os.path.exists(incremental.stats_path(str(tmp_path / "three")))


@pytest.mark.parametrize("edit", ["description", "source", "both"])
def test_a_one_stage_edit_re_renders_that_notebook_only_and_equals_a_full_build(project, tmp_path, edit):
    assert _build(project)[1] is not None
    spec_file, source = project / "spec" / "stages" / "lakeflow.yaml", project / "src" / "stages" / "lakeflow.py"
    if edit in ("description", "both"):
        spec_file.write_text(spec_file.read_text().replace("description: >-\n  ", "description: >-\n  Edited. ", 1))
    if edit in ("source", "both"):
        source.write_text("\ufeff" + source.read_text() + "\n# a comment\n")
    result, written = _build(project)
    assert result.stopped_at == "stages rebuilt" and written.written == ["stages/lakeflow.py"]
    assert _build(project)[0].stopped_at == "up to date"
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("build"))
    assert _build(fresh)[0].stopped_at == ""
    skip = (".compiler",)
    assert read_tree(project / "build", skip=skip) == read_tree(fresh / "build", skip=skip)
    manifests = [json.loads((p / "build" / ".compiler" / "manifest.json").read_text()) for p in (project, fresh)]
    assert manifests[0] == manifests[1]


def test_edits_that_shape_the_build_build_in_full(project):
    assert _build(project)[1] is not None
    spec_file = project / "spec" / "stages" / "lakeflow.yaml"
    spec_file.write_text(spec_file.read_text().replace("tags: [data, lakeflow]", "tags: [data, lakeflow, new]"))
    assert _build(project)[0].stopped_at == ""
    source = project / "src" / "stages" / "lakeflow.py"
    source.write_text(source.read_text().replace('ctx.params["PIPELINE_SCHEDULE_MINUTES"]', '"0"', 1))
    result, _ = _build(project)  # the code no longer reads a declared parameter: a new warning
    assert result.stopped_at == "" and any(d.code == "W504" and "lakeflow" in d.message for d in result.diagnostics)
    source.write_text(source.read_text() + "\n# still not read\n")
    result, _ = _build(project)  # the stage has a diagnostic: rebuilt in full, the warning kept exact
    assert result.stopped_at == "" and any(d.code == "W504" for d in result.diagnostics)


def test_code_edits_that_change_what_the_checks_see_build_in_full(project):
    assert _build(project)[1] is not None
    source = project / "src" / "stages" / "lakeflow.py"
    text = source.read_text()
    source.write_text(text + "\nimport caspers.naming  # a new import: the closure check walks it\n")
    assert _build(project)[0].stopped_at == ""
    source.write_text(text + "\n\ndef _mkdir(w):\n    w.workspace.mkdirs('/x')\n")
    result, written = _build(project)  # a call the runtime refuses, added by a code edit: E520, not a quiet rebuild
    assert written is None and any(d.code == "E520" for d in result.diagnostics)


@pytest.mark.parametrize("state, content", [("stats", "{]"), ("notebooks.pickle", "garbage"),
                                            ("cache.pickle", "garbage")])
def test_damaged_caches_only_cost_time(project, state, content):
    from compiler.incremental import stats_path

    assert _build(project)[1] is not None
    before = read_tree(project / "build", skip=(".compiler",))
    damaged = Path(stats_path(str(project / "build"))) if state == "stats" else project / "build" / ".compiler" / state
    assert damaged.is_file()
    damaged.write_text(content)
    source = project / "src" / "stages" / "lakeflow.py"
    source.write_text(source.read_text() + "\n# edit\n")
    result, written = _build(project)
    assert written is not None and written.written == ["stages/lakeflow.py"]
    after = read_tree(project / "build", skip=(".compiler",))
    assert {k for k in after if after[k] != before.get(k)} == {"stages/lakeflow.py"}


@pytest.mark.parametrize("manifest", ['{"files": 3}', "[1, 2]", '{"files": ["../x"]}', "not json",
                                      '{"files": [], "diagnostics": [{"code": 1}]}'])
def test_a_damaged_manifest_is_a_located_error(project, manifest):
    assert _build(project)[1] is not None
    (project / "build" / ".compiler" / "manifest.json").write_text(manifest)
    run = run_compiler("build", cwd=project)
    assert run.code == 1 and "Traceback" not in run.err
    assert "build/.compiler/manifest.json: error: the build's manifest is damaged" in run.err and "[E902]" in run.err


def test_json_output_survives_an_undecodable_file_name(tmp_path):
    project = copy_project(EXAMPLES / "base", tmp_path / "p")
    name = os.fsdecode(b"x\xfe.yaml")
    (project / "spec" / "targets" / name).write_text("description: x\n")
    run = run_compiler("build", "--json", cwd=project, env={"PYTHONIOENCODING": "utf-8", "LC_ALL": "C"})
    assert run.code == 1 and "Traceback" not in run.err
    found = json.loads(run.out)["diagnostics"]
    assert found[0]["code"] == "E107" and found[0]["file"] == "spec/targets/x\\xfe.yaml"


def test_graph_of_stages_named_like_dot_and_mermaid_keywords(tmp_path):
    project = copy_project(EXAMPLES / "base", tmp_path / "p")
    for name in ("node", "end", "graph"):
        spec = (project / "spec" / "stages" / "report.yaml").read_text()
        (project / "spec" / "stages" / f"{name}.yaml").write_text(spec.replace("task_key: Report", f"task_key: T_{name}"))
        shutil.copyfile(project / "src" / "stages" / "report.py", project / "src" / "stages" / f"{name}.py")
    assert run_compiler("build", cwd=project).code == 0
    run = run_compiler("graph", cwd=project)
    assert run.code == 0 and "Traceback" not in run.err, run.err
    mermaid = (project / "build" / "graphs" / "dev.mmd").read_text()
    assert "  END_[" in mermaid and "  GRAPH_[" in mermaid and "  node[" in mermaid and "  end[" not in mermaid
    if shutil.which("dot"):
        assert (project / "build" / ".local" / "graphs" / "dev.svg").read_text().count("T_node") == 1


# The CLI's documented substitutions and defaults (bundle variables docs; libs/iamutil short names).
@pytest.mark.parametrize("workspace, target, expected", [
    ({"root_path": "/Workspace/Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}"},
     "dev", "/Workspace/Users/first.last@example.com/.bundle/demo/dev/files"),
    ({}, "prod", "/Workspace/Users/first.last@example.com/.bundle/demo/prod/files"),
    ({"root_path": "/Users/${workspace.current_user.short_name}/${var.area}"}, "dev",
     "/Workspace/Users/first_last/sales/files"),
    ({"root_path": "~/x/${bundle.target}", "file_path": "${workspace.root_path}/code"}, "t",
     "/Workspace/Users/first.last@example.com/x/t/code"),
    ({"root_path": "/Volumes/c/s/v/${bundle.name}"}, "dev", "/Volumes/c/s/v/demo/files"),
])
def test_workspace_paths_resolve_as_the_cli_resolves_them(workspace, target, expected):
    from compiler.bundle_vars import file_path

    assert file_path("demo", target, {"area": "sales"}, workspace, "first.last@example.com") == expected


@pytest.mark.parametrize("root", ["/x/${bundle.nmae}", "/x/${var.missing}", "${workspace.file_path}"])
def test_unknown_or_circular_substitutions_are_refused(root):
    from compiler.bundle_vars import file_path
    from compiler.ops.errors import OpsError

    with pytest.raises(OpsError) as err:
        file_path("demo", "dev", {}, {"root_path": root}, "u@example.com")
    assert err.value.code == "O107"


def test_hotfix_and_verify_use_the_folder_a_templated_root_path_deploys_to(caspers, ops):
    bundle = caspers / "spec" / "bundle.yaml"
    bundle.write_text(bundle.read_text().replace(
        "root_path: /Workspace/Users/${workspace.current_user.userName}/caspers-kitchens-demo",
        "root_path: /Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}"))
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    root = "/Workspace/Users/tester@example.com/.bundle/caspers-kitchens/free"
    assert f"{root}/stages/lakeflow" in ops.remote()
    assert not any("${" in path for path in ops.remote())
    source = caspers / "src" / "stages" / "lakeflow.py"
    source.write_text(source.read_text().replace("ALL_EVENTS_TIMEOUT_S = 1200", "ALL_EVENTS_TIMEOUT_S = 1800"))
    run = ops.run(caspers, "hotfix", "-t", "free", "--stage", "lakeflow")
    assert run.code == 0, run.err
    assert b"ALL_EVENTS_TIMEOUT_S = 1800" in ops.remote()[f"{root}/stages/lakeflow"]["content"]
    assert ops.run(caspers, "deploy", "-t", "free").code == 0
    verified = ops.run(caspers, "verify", "-t", "free")
    assert verified.code == 0, verified.out + verified.err
    assert verified.out.startswith(f"{root}: ")


def test_the_declared_derivations_are_what_the_stages_compute():
    """spec/bundle.yaml's `names` restates src/caspers/naming.py; for catalogs the rules accept the
    two agree (the stages' own module is the oracle)."""
    import re

    import yaml

    from compiler.check_names import derive

    sys.path.insert(0, str(ROOT / "src"))
    from caspers import naming

    rules = yaml.safe_load((ROOT / "spec" / "bundle.yaml").read_text())["names"]["CATALOG"]
    computed = {"refund_lakebase_instance": naming.lakebase_instance, "complaint_lakebase_instance":
                naming.complaint_instance, "support_lakebase_instance": naming.support_instance,
                "refund_database_catalog": naming.database_catalog, "complaint_database_catalog": naming.complaint_catalog,
                "support_database_catalog": naming.support_catalog, "refund_manager_app": naming.refund_manager_app,
                "support_console_app": naming.support_console_app}
    assert set(computed) == set(rules["derived"])
    for catalog in ("caspersdev", "my_cat", "a1_b2_c3", "x", "abcdefghijklmn"):
        assert re.fullmatch(rules["pattern"], catalog)
        for name, rule in rules["derived"].items():
            assert derive(rule["template"], "CATALOG", catalog, rule) == computed[name](catalog), (name, catalog)
    for refused in ("a__b", "a-b", "A_b", "b_", "abcdefghijklmno"):
        assert not (re.fullmatch(rules["pattern"], refused) and len(refused) <= rules["max_length"])


def test_a_catalog_given_on_the_command_line_obeys_the_rules(caspers):
    run = run_compiler("state", "-t", "free", "--param", "CATALOG=a__b", cwd=caspers)
    assert run.code == 1 and "[O103]" in run.err and "CATALOG='a__b' breaks the platform's naming rule" in run.err
