"""compiler/sync.py: which files `bundle deploy` uploads, by the Databricks CLI's rules (git-ignore
rules of the enclosing worktree, sync.include over them, sync.exclude last), and the compiler's
check that everything the bundle needs at run time is among them (E512/E513)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.sync import GitIgnores, PatternList, SyncRules, clean, find_worktree_root, pattern_problem

from .conftest import ROOT, copy_project


def write(root: Path, rel: str, text: str = "x") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def cli_testdata(tmp_path: Path) -> Path:
    """The layout the CLI's own git tests use: ignore files at the root, in a/ and in a/b/."""
    root = tmp_path / "repo"
    write(root, ".gitignore", "root.*\n/root/foo\n**/root_double\n\n# comment\n/ignorethis\n\nignoredirectory/\n\n.*\n")
    write(root, "a/.gitignore", "a.*\n**/a_double\n")
    write(root, "a/b/.gitignore", "b.*\n**/b_double\n")
    (root / ".git").mkdir()
    return root


@pytest.mark.parametrize("path, ignored", [
    ("root.sh", True), ("root/foo", True), ("root_double", True), ("newfile", False), (".gitignore", True),
    ("newfile.py", False), ("ignoredirectory/", True), (".", False), ("a.sh", False), ("a/a.sh", True),
    ("a/whatever/a.sh", True), (".git", True), ("x/.databricks/state.json", True),
])
def test_ignore_rules_at_the_worktree_root(cli_testdata, path, ignored):
    assert bool(GitIgnores(str(cli_testdata)).ignored_by(path)) is ignored


@pytest.mark.parametrize("path, ignored", [
    ("root.sh", True), ("root/foo", False), ("root_double", True), ("a.sh", True), ("a_double", True),
    ("newfile", False), ("b/b.sh", True), ("b/whatever/b.sh", True),
])
def test_a_bundle_below_the_root_inherits_its_ignore_rules(cli_testdata, path, ignored):
    assert bool(SyncRules(str(cli_testdata / "a")).git_ignored(path)) is ignored


# Git's own pattern semantics (pathspec's GitIgnoreSpec). The cases after the first block restate the
# CLI's tests of its include globs (libs/fileset glob tests: `./*.go` at the root, `testdata/*` taking a
# folder's whole tree, a folder named alone, `testdata/**/*.txt` at any depth below it).
@pytest.mark.parametrize("pattern, path, matched", [
    ("/build/", "build/stages/x.py", True), ("/build/", "src/build/x.py", False), ("build/", "src/build/x.py", True),
    ("build/", "build", False),  # a folder pattern never names a file
    ("*.pyc", "a/b/c.pyc", True), ("a/**/b", "a/x/y/b", True), ("a/**/b", "a/b", True),
    ("docs/*.md", "docs/x.md", True), ("docs/*.md", "sub/docs/x.md", False),  # a middle `/` anchors
    ("docs/x.md", "sub/docs/x.md", False), ("x.md", "sub/docs/x.md", True),
    ("stages/**", "stages/a.py", True), ("stages/**", "other/stages/a.py", False),
    ("file?.txt", "file1.txt", True), ("file?.txt", "file12.txt", False),  # `?` is one character, as in git
    ("*.parquet", "data/canonical/canonical_dataset/events.parquet", True),
    ("\\#x", "#x", True), ("# comment", "# comment", False), ("   ", "x", False),
    ("*.go", "main.go", True), ("*.js", "main.go", False),
    ("testdata/*", "testdata/a/b/.gitignore", True), ("testdata/*", "other/testdata/x", False),
    ("testdata/a", "testdata/a/b/b.sh", True), ("testdata/a", "testdata/ab", False),
    ("testdata/**/*.txt", "testdata/x.txt", True), ("testdata/**/*.txt", "testdata/a/b/x.txt", True),
    ("testdata/**/*.txt", "testdata/a/b/x.sh", False),
])
def test_patterns_have_git_semantics(pattern, path, matched):
    assert (PatternList((pattern,)).match(path) is not None) is matched


def test_a_pathological_pattern_matches_in_linear_time():
    """A regex translation backtracks for minutes on this; RE2 answers at once."""
    import time

    patterns = PatternList(("a/**/b/**/c/**/d/**/e",))
    started = time.perf_counter()
    assert patterns.match("a/" + "b/c/d/" * 2000 + "x") is None
    assert time.perf_counter() - started < 0.5


def test_invalid_lines_are_skipped_in_ignore_files_and_named_in_the_spec():
    assert PatternList(("foo\\", "*.log")).match("x.log") == "*.log"
    assert pattern_problem("foo\\") and pattern_problem("!") and pattern_problem("*.log") is None


def test_negation_re_includes_what_an_earlier_line_of_the_same_list_matched():
    assert PatternList(("*.log", "!keep.log")).match("keep.log") is None
    assert PatternList(("!keep.log", "*.log")).match("keep.log") == "*.log"  # order matters


def test_clean_is_go_path_clean():
    assert [clean(p) for p in ("", "./x/**", "/build/", "a//b/../c/", "../x")] == [".", "x/**", "/build", "a/c", "../x"]


def test_upload_set_git_ignore_include_override_and_exclude_last(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git" / "info").mkdir(parents=True)
    write(repo, ".git/info/exclude", "secret.txt\n")
    write(repo, ".gitignore", "/build/\n*.log\n")
    bundle = repo / "build"
    for rel in ("databricks.yml", "stages/a.py", "stages/a.log", "cleanup.py", "src/rt/x.py", "pipelines/p/t.py",
                "pipelines/p/README.md", "pipelines/p/scratch/keep.sql", "pipelines/p/scratch/tmp.sql",
                "secret.txt", ".databricks/bundle/dev/state.json", ".databricks/bundle/dev/.internal/w.whl"):
        write(bundle, rel)
    write(bundle, "pipelines/.gitignore", "scratch/\n")  # a nested ignore file
    os.symlink(bundle / "cleanup.py", bundle / "stages" / "link.py")
    rules = SyncRules.for_bundle(str(bundle), {
        "include": ["stages/**", "cleanup.py", "pipelines/**", "secret.txt"],
        "exclude": ["**/README.md", "pipelines/p/scratch/tmp.sql"]}, target="dev")
    assert rules.files() == [".databricks/bundle/dev/.internal/w.whl", "cleanup.py", "pipelines/.gitignore",
                             "pipelines/p/scratch/keep.sql", "pipelines/p/t.py", "secret.txt", "stages/a.log",
                             "stages/a.py"]
    assert "git ignores it (.gitignore (`/build/`))" in rules.why_not("databricks.yml")
    assert rules.why_not("pipelines/p/README.md") == "it matches sync.exclude `**/README.md`"
    # Without the include, the nested ignore file would keep scratch/ out (and /build/ everything).
    bare = SyncRules.for_bundle(str(bundle), {})
    assert bare.files() == [] and "/build/" in bare.why_not("pipelines/p/scratch/keep.sql")


def test_the_nested_ignore_file_decides_where_the_root_one_does_not(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, ".gitignore", "*.log\n")
    for rel in ("bundle/a.py", "bundle/a.log", "bundle/jobs/x.py", "bundle/jobs/scratch/y.py"):
        write(repo, rel)
    write(repo, "bundle/jobs/.gitignore", "scratch/\n")
    rules = SyncRules.for_bundle(str(repo / "bundle"), {"include": ["jobs/scratch/y.py"], "exclude": ["jobs/x.py"]})
    assert rules.files() == ["a.py", "jobs/.gitignore", "jobs/scratch/y.py"]


def test_outside_a_repository_the_bundle_root_is_the_worktree(tmp_path):
    bundle = tmp_path / "plain"
    write(bundle, ".gitignore", "*.tmp\n")
    write(bundle, "a.py")
    write(bundle, "b.tmp")
    assert find_worktree_root(str(bundle)) == str(bundle)
    assert SyncRules(str(bundle)).files() == [".gitignore", "a.py"]  # its own .gitignore still counts


def test_the_compiler_refuses_a_bundle_whose_cleanup_notebook_would_not_upload(tmp_path, monkeypatch):
    """The defect this check was written for: build/ is git-ignored and `cleanup.py`, the notebook
    of every target's cleanup job, was not among the compiler's includes."""
    from compiler import render
    from compiler.pipeline import compile_spec

    project = copy_project(ROOT, tmp_path / "caspers", git=True)
    good = compile_spec(str(project / "spec"), out_dir=str(project / "build"))
    assert good.ok, good.diagnostics
    monkeypatch.setattr(render, "COMPILER_SYNC_INCLUDES", ["stages/**", "src/**"])
    bad = compile_spec(str(project / "spec"), out_dir=str(project / "build"))
    found = [d for d in bad.diagnostics if d.code == "E512"]
    assert len(found) == 1 and "the cleanup job's notebook, `cleanup.py`, would not be uploaded" in found[0].message
    assert "git ignores it (.gitignore (`/build/`))" in found[0].message
    assert found[0].hint == "add `cleanup.py` to `sync.include` in spec/bundle.yaml"


def test_the_check_covers_every_bundle_path_of_the_stages(tmp_path):
    from compiler.pipeline import compile_spec

    project = copy_project(ROOT, tmp_path / "caspers", git=True)
    result = compile_spec(str(project / "spec"), out_dir=str(project / "build"))
    used = {name: [p for p, _, _, _ in facts.bundle_paths] for name, facts in result.facts.items() if facts.bundle_paths}
    assert sorted(used["canonical_data"]) == [("data", "canonical", "canonical_dataset"), ("data", "canonical", "replay")]
    assert used["lakeflow"] == [("pipelines", "order_items")]
    source = project / "src" / "stages" / "lakeflow.py"
    source.write_text(source.read_text().replace('ctx.bundle_path("pipelines", "order_items")',
                                                 'ctx.bundle_path("pipelines", "order_item")'))
    broken = compile_spec(str(project / "spec"), out_dir=str(project / "build"))
    assert [d.code for d in broken.diagnostics if d.severity == "error"] == ["E513"]
    assert "did you mean `pipelines/order_items`?" in broken.diagnostics[-1].hint or \
        any("did you mean `pipelines/order_items`?" in d.hint for d in broken.diagnostics)
