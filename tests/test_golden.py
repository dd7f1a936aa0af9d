"""Golden cases: every good example builds; every bad one fails with exactly its expected
diagnostics, exit code 1, no traceback, and its previous build/ untouched."""

from __future__ import annotations

import pytest

from .conftest import read_tree, run_compiler
from .golden import build_args, case_dirs, materialise, run_case, summarise

BAD = case_dirs("bad")
GOOD = case_dirs("good")


def test_there_are_cases():
    assert GOOD and BAD


@pytest.mark.parametrize("case", GOOD, ids=[c.name for c in GOOD])
def test_good_case_builds_exactly_what_it_pins(case, tmp_path):
    """Its messages (expected.txt) and what it builds (expected_jobs.yaml): jobs per target with
    their parameters, tasks, dependencies and settings, and each notebook's `%` commands."""
    import yaml

    result = run_case(case, tmp_path)
    assert result.code == 0, result.err
    assert result.err == (case / "expected.txt").read_text()
    assert summarise(tmp_path / "project" / "build") == yaml.safe_load((case / "expected_jobs.yaml").read_text())


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_case_reports_expected_diagnostics(case, tmp_path):
    project = materialise(case, tmp_path / "project")
    # A previous good build must survive the failed one, byte for byte, .databricks/ included.
    from .conftest import EXAMPLES, copy_project

    good = copy_project(EXAMPLES / "base", tmp_path / "good")
    first = run_compiler("build", "--out", str(project / "build"), cwd=good)
    assert first.code == 0, first.err
    (project / "build" / ".databricks").mkdir()
    (project / "build" / ".databricks" / "state.json").write_text("{}")
    before = read_tree(project / "build", skip=())

    result = run_compiler("build", *build_args(case), cwd=project)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err == (case / "expected.txt").read_text()
    assert read_tree(project / "build", skip=()) == before
