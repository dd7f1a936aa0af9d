"""Unit tests of individual passes and helpers, on plain data."""

from __future__ import annotations

import json
import re
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from compiler import yamlout
from compiler.diagnostics import Diagnostic, did_you_mean, render_all
from compiler.graph import StageGraph
from compiler.load import load_file
from compiler.model import Stage
from compiler.render import comment, magic, py_literal
from compiler.templating import SpecJinja
from compiler.diagnostics import Where

from .conftest import EXAMPLES, ROOT as ROOT_DIR


# ---- load -------------------------------------------------------------------------------------

def _load(tmp_path: Path, text: str):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    diags: list = []
    return load_file("stage", "x", str(path), diags), diags


def test_locations_of_keys_and_values(tmp_path):
    spec, diags = _load(tmp_path, "task_key: A\ntargets:\n  dev:\n    max_retries: 0\ndepends_on: [a, b]\n")
    assert not diags
    assert spec.data == {"task_key": "A", "targets": {"dev": {"max_retries": 0}}, "depends_on": ["a", "b"]}
    assert spec.loc(("targets", "dev", "max_retries")) == (4, 18)
    assert spec.loc(("targets", "dev"), key=True) == (3, 3)
    assert spec.loc(("depends_on", 1)) == (5, 17)
    assert spec.where(("depends_on", 1, "nothing")).line == 5  # falls back to the closest ancestor
    assert spec.scalar_text[("targets", "dev", "max_retries")] == "0"


def test_alias_bomb_is_rejected_fast_and_small(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):  # 10**12 strings if expanded
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    tracemalloc.start()
    started = time.perf_counter()
    spec, diags = _load(tmp_path, "\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert spec is None and [d.code for d in diags] == ["E104"]
    assert elapsed < 2 and peak < 20 * 1024 * 1024


def test_duplicate_keys_report_both_lines(tmp_path):
    _, diags = _load(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert [(d.code, d.line) for d in diags] == [("E103", 3)]
    assert "first defined at line 1" in diags[0].message


# ---- diagnostics ------------------------------------------------------------------------------

def test_rendering_and_sorting():
    items = [Diagnostic("warning", "W504", "b", "z.yaml", 2, 1), Diagnostic("error", "E400", "a", "a.yaml", 9, 3, "fix it")]
    text = render_all(items + items)
    assert text.splitlines() == ["a.yaml:9:3: error: a [E400]", "  hint: fix it", "z.yaml:2:1: warning: b [W504]",
                                 "1 error(s), 1 warning(s)"]


def test_did_you_mean():
    assert did_you_mean("depnds_on", ["depends_on", "description"]) == "did you mean `depends_on`?"
    assert did_you_mean("CATALOG", ["catalog"]) == "did you mean `catalog`?"
    assert did_you_mean("zzz", ["depends_on"]) == ""


# ---- graph (selectors: test_selectors.py) ----------------------------------------------------------------------

def _stages(edges: dict[str, list[str]], tags: dict[str, list[str]] | None = None) -> dict[str, Stage]:
    tags = tags or {}
    return {name: Stage(name, name.title(), "", deps, [], {}, {}, {}, [], [], tags.get(name, []), [], "", None)
            for name, deps in edges.items()}


GRAPH = StageGraph(_stages({"a": [], "b": ["a"], "c": ["b"], "d": ["a"], "e": ["c", "d"]},
                           {"b": ["x"], "d": ["x", "y"]}))


def test_cycles_are_paths_starting_at_their_smallest_stage():
    graph = StageGraph(_stages({"b": ["a"], "a": ["c"], "c": ["b"], "d": ["e"], "e": ["d"], "f": []}))
    assert graph.cycles() == [["a", "b", "c", "a"], ["d", "e", "d"]]


def test_topological_order_breaks_ties_by_name():
    assert GRAPH.topological_order("abcde") == ["a", "b", "c", "d", "e"]
    assert GRAPH.topological_order("edb") == ["b", "d", "e"]


# ---- YAML emitter -----------------------------------------------------------------------------

scalars = st.one_of(st.text(), st.integers(), st.booleans(), st.none())
trees = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=20)


@given(trees)
def test_yaml_emitter_round_trips(value):
    if isinstance(value, (dict, list)):
        assert yaml.safe_load(yamlout.dump(value)) == value
        assert yaml.load(yamlout.dump(value), Loader=yaml.CSafeLoader) == value


@given(st.text())
def test_yaml_scalar_is_one_line(text):
    assert "\n" not in yamlout.scalar(text) and "\r" not in yamlout.scalar(text)


def test_plain_scalars_only_when_unambiguous():
    assert yamlout.scalar("${var.catalog}_refund_agent") == "${var.catalog}_refund_agent"
    assert yamlout.scalar("Casper's Initializer") == "Casper's Initializer"
    for ambiguous in ["yes", "No", "3", "0.15", "1e3", ".5", "~", "null", "", "- x", "a: b", "#x", ".inf"]:
        assert yamlout.scalar(ambiguous).startswith('"')


# ---- notebook filters -------------------------------------------------------------------------

@given(st.text())
def test_comment_and_magic_stay_on_comment_lines(text):
    assert "\n" not in comment(text) and "\r" not in comment(text)
    for line in magic(text).split("\n"):
        assert line.startswith("# MAGIC")
    compile("x = 1  # " + comment(text) + "\n" + magic(text) + "\n", "<t>", "exec")


@given(st.recursive(st.one_of(st.text(), st.integers(), st.booleans()),
                    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                    max_leaves=10))
def test_python_literal_round_trips(value):
    import ast

    assert ast.literal_eval(py_literal(value)) == value


# ---- Jinja ------------------------------------------------------------------------------------

def test_jinja_plain_strings_are_untouched_and_not_parsed():
    jinja = SpecJinja()
    text, problem = jinja.render("plain ${var.x} { not jinja }", {}, Where("f"))
    assert text == "plain ${var.x} { not jinja }" and problem is None and jinja._env is None


@pytest.mark.parametrize("template, code", [
    ("{{ x }}", "E701"), ("{{ ''.__class__ }}", "E702"), ("{{ 'a' * 10**7 }}", "E702"), ("{{ 2 ** 1000 }}", "E702"),
    ("{% for %}", "E700"), ("{{ 1 / 0 }}", "E703"), ("{{ range(100000) | join(',') * 0 }}{{ 'x' | center(200000) }}", "E703"),
])
def test_jinja_failures(template, code):
    _, problem = SpecJinja().render(template, {"target": {"name": "dev"}}, Where("f", 1, 1))
    assert problem is not None and problem.code == code


def test_jinja_renders_context():
    text, problem = SpecJinja().render("{{ target.name }}-{{ '{{' }}", {"target": {"name": "dev"}}, Where("f"))
    assert (text, problem) == ("dev-{{", None)


# ---- corpus-wide ------------------------------------------------------------------------------

def test_every_corpus_diagnostic_names_file_line_and_column():
    """Spec diagnostics point at a line and column; only the output-folder ones (E9xx) are about a
    folder, and name it."""
    pattern = re.compile(r"^\S+:\d+:\d+: (error|warning): .+ \[[EW]\d{3}\]$|^\S+: error: .+ \[E9\d\d\]$")
    for expected in EXAMPLES.glob("*/*/expected.txt"):
        for line in expected.read_text().splitlines():
            if line.startswith(("  hint:", "        ")) or re.match(r"^\d+ error\(s\)", line) or line.startswith("build failed"):
                continue
            if line.startswith("  also: "):  # the other places of the same problem
                assert re.fullmatch(r"  also: \S+:\d+:\d+", line), f"{expected}: {line}"
                continue
            assert pattern.match(line), f"{expected}: {line}"


# ---- the two schema validators agree ----------------------------------------------------------

def _spec_documents():
    from compiler.load import load_file

    docs = []
    roots = [ROOT_DIR, EXAMPLES / "base"] + [p for kind in ("good", "bad") for p in (EXAMPLES / kind).iterdir()]
    for root in roots:
        for path in sorted((root / "spec").rglob("*.yaml")) if (root / "spec").exists() else []:
            kind = "bundle" if path.name == "bundle.yaml" else path.parent.name[:-1]
            if kind not in ("bundle", "stage", "target"):
                continue
            spec = load_file(kind, path.stem, str(path), [])
            if spec is not None:
                docs.append((kind, spec.data))
    return docs


def _agree(kind, data):
    from compiler.validate import is_valid_fast, validator_for

    assert is_valid_fast(kind, data) == (not list(validator_for(kind).iter_errors(data))), data


def test_fast_and_full_validators_agree_on_the_corpus():
    docs = _spec_documents()
    assert len(docs) > 60
    for kind, data in docs:
        _agree(kind, data)


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=6),
                                     st.sampled_from(["Foo\n", "ok_name", "src/stages/x.py", "../x", "a==1", "*"])),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                           max_leaves=6)


@given(st.data())
def test_fast_and_full_validators_agree_on_mutations(data):
    docs = _CORPUS_DOCS or _CORPUS_DOCS.extend(_spec_documents()) or _CORPUS_DOCS
    kind, doc = data.draw(st.sampled_from(docs))
    doc = json.loads(json.dumps(doc, default=str))
    if isinstance(doc, dict) and doc:
        key = data.draw(st.sampled_from(sorted(doc) + ["unknown_key"]))
        doc[key] = data.draw(json_values)
    _agree(kind, doc)


_CORPUS_DOCS: list = []
