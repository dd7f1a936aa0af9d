"""compiler/selectors.py: dbt-like selectors parsed into plain data, evaluated separately, with
errors as records (message, hint, atom)."""

from __future__ import annotations

import pytest

from compiler.graph import StageGraph
from compiler.selectors import Atom, Selector, SelectorError, evaluate, parse, select

from .test_passes import _stages

GRAPH = StageGraph(_stages({"a": [], "b": ["a"], "c": ["b"], "d": ["a"], "e": ["c", "d"]},
                           {"b": ["x"], "d": ["x", "y"]}))


def test_parse_gives_a_union_of_intersections_of_atoms():
    selector, errors = parse("2+c+1,tag:x *")
    assert errors == []
    assert selector == Selector("2+c+1,tag:x *", (
        (Atom("c", ancestors=True, ancestor_depth=2, descendants=True, descendant_depth=1), Atom("tag:x")),
        (Atom("*"),)))
    assert [a.names_a_stage for term in selector.terms for a in term] == [True, False, False]


@pytest.mark.parametrize("text, expected", [
    ("*", "abcde"), ("c", "c"), ("C", "c"), ("+c", "abc"), ("1+c", "bc"), ("c+", "ce"), ("a+1", "abd"),
    ("+c+", "abce"), ("tag:x", "bd"), ("tag:x,tag:y", "d"), ("b d", "bd"), ("tag:x,+e", "bd"), ("+e,d+", "de"),
])
def test_evaluate(text, expected):
    chosen, errors = select(text, GRAPH)
    assert not errors and "".join(sorted(chosen)) == expected


def test_evaluate_within_a_universe():
    selector, _ = parse("+e")
    assert evaluate(selector, GRAPH, universe={"a", "e", "x"}) == ({"a", "e"}, [])


def test_errors_are_records_with_hints():
    _, errors = select("+cc tag:z", GRAPH)
    assert errors == [SelectorError("unknown stage `cc` in selector", "did you mean `c`?", "cc"),
                      SelectorError("no stage has tag `z`", "tags: x, y", "tag:z")]


@pytest.mark.parametrize("text", ["", "   ", "a,", "++a", "a++"])
def test_syntax_errors_say_how_to_write_one(text):
    selector, errors = parse(text)
    assert selector is None and errors and "tag:x" in errors[0].hint
