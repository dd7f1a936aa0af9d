"""Every emitted databricks.yml (includes merged) validates against the official bundle schema.

The schema is reference material outside the project (../shared/reference); the product never
reads it, and this test skips, saying so, where it is absent. Its patterns are Go regexes:
`\\p{L}` and `\\p{N}` are translated for Python's `re`.
"""

from __future__ import annotations

import json
import re

import pytest

from .bundle_io import load_bundle
from .conftest import EXAMPLES, OFFICIAL_SCHEMA, ROOT, copy_project, run_compiler


def _translate(pattern: str) -> str:
    pattern = pattern.replace(r"[\p{L}\p{N}]", r"[^\W_]")
    return pattern.replace(r"\p{L}", r"[^\W\d_]").replace(r"\p{N}", r"\d")


def _fix_patterns(node):
    if isinstance(node, dict):
        return {k: (_translate(v) if k == "pattern" and isinstance(v, str) else _fix_patterns(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_fix_patterns(item) for item in node]
    return node


@pytest.fixture(scope="module")
def official_validator():
    if not OFFICIAL_SCHEMA.exists():
        pytest.skip(f"official bundle schema not found at {OFFICIAL_SCHEMA}")
    from jsonschema import Draft202012Validator

    schema = _fix_patterns(json.loads(OFFICIAL_SCHEMA.read_text()))
    for pattern in re.findall(r'"pattern": "([^"]*)"', json.dumps(schema)):
        assert "\\\\p{" not in pattern, pattern
    return Draft202012Validator(schema)


def test_translation_handles_go_classes():
    go = r"\$\{(var(\.\p{L}+([-_]*[\p{L}\p{N}]+)*(\[[0-9]+\])*)+)\}"
    assert re.fullmatch(_translate(go), "${var.catalog}")
    assert re.fullmatch(_translate(go), "${var.kätalog_2}")
    assert not re.fullmatch(_translate(go), "${var.1x}")


@pytest.mark.parametrize("project", ["caspers", "example"])
def test_emitted_bundle_validates(official_validator, project, tmp_path):
    source = ROOT if project == "caspers" else copy_project(EXAMPLES / "base", tmp_path / "p")
    out = tmp_path / "build"
    run = run_compiler("build", "--out", str(out), cwd=source)
    assert run.code == 0, run.err
    bundle = load_bundle(out)
    errors = sorted(official_validator.iter_errors(bundle), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:10])


def test_schema_catches_a_bad_bundle(official_validator):
    """The check above can fail: a wrong type in a task is reported."""
    bad = {"bundle": {"name": "x"}, "resources": {"jobs": {"j": {"tasks": [{"task_key": "a", "max_retries": []}]}}}}
    assert list(official_validator.iter_errors(bad))
