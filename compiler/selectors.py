"""dbt-like selectors over the stage graph, parsed once into plain data and evaluated separately.

    lakeflow | Spark_Declarative_Pipeline   a stage, by stage name or task key
    +lakebase   2+lakebase                  with its ancestors (all, or up to 2 levels)
    lakeflow+   lakeflow+1                  with its descendants (all, or up to 1 level)
    tag:menus                               the stages with that tag
    *                                       every stage
    a b                                     union (space-separated terms)
    tag:agent,+apps                         intersection (comma-separated atoms of a term)

Used by target `select`/`exclude` (resolve.py) and by `make run ONLY=...` (ops/deploy.py). Errors
are records (message, hint, the atom), never strings to split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .diagnostics import did_you_mean

_ATOM = re.compile(r"^(?:(?P<up>\d*)(?P<up_plus>\+))?(?P<base>[^+\s,]+?)(?:(?P<down_plus>\+)(?P<down>\d*))?$")
SYNTAX_HINT = "use `*`, `name`, `+name`, `name+`, `2+name`, `tag:x`, spaces for union and commas for intersection"


@dataclass(frozen=True)
class Atom:
    base: str  # "*", "tag:<tag>", or a stage name or task key
    ancestors: bool = False
    ancestor_depth: int | None = None  # None: all levels
    descendants: bool = False
    descendant_depth: int | None = None

    @property
    def names_a_stage(self) -> bool:
        return self.base != "*" and not self.base.startswith("tag:")


@dataclass(frozen=True)
class Selector:
    text: str
    terms: tuple[tuple[Atom, ...], ...]  # a union of intersections


@dataclass(frozen=True)
class SelectorError:
    message: str
    hint: str
    atom: str = ""


def parse(text: str) -> tuple[Selector | None, list[SelectorError]]:
    terms, errors = [], []
    for term in text.split():
        atoms = []
        for raw in term.split(","):
            match = _ATOM.fullmatch(raw)
            if not raw or not match:
                errors.append(SelectorError(f"cannot read selector `{raw}`", SYNTAX_HINT, raw))
                continue
            atoms.append(Atom(match["base"], bool(match["up_plus"]), int(match["up"]) if match["up"] else None,
                              bool(match["down_plus"]), int(match["down"]) if match["down"] else None))
        terms.append(tuple(atoms))
    if not terms and not errors:
        errors.append(SelectorError("empty selector", SYNTAX_HINT))
    return (Selector(text, tuple(terms)) if not errors else None), errors


def resolve_stage(graph, atom: Atom) -> str | None:
    return graph.resolve_name(atom.base) if atom.names_a_stage else None


def evaluate(selector: Selector, graph, universe=None) -> tuple[set[str], list[SelectorError]]:
    """The stages selected (within `universe` when given) and the errors (unknown stage or tag)."""
    chosen: set[str] = set()
    errors: list[SelectorError] = []
    for term in selector.terms:
        result: set[str] | None = None
        for atom in term:
            found, error = _atom(atom, graph)
            if error:
                errors.append(error)
            result = found if result is None else result & found
        chosen |= result or set()
    return (chosen if universe is None else chosen & set(universe)), errors


def _atom(atom: Atom, graph) -> tuple[set[str], SelectorError | None]:
    stages = graph.stages
    if atom.base == "*":
        roots = set(stages)
    elif atom.base.startswith("tag:"):
        tag = atom.base[4:]
        roots = {name for name, stage in stages.items() if tag in stage.tags}
        if not roots:
            tags = {t for stage in stages.values() for t in stage.tags}
            return set(), SelectorError(f"no stage has tag `{tag}`", did_you_mean(tag, tags) or
                                        "tags: " + ", ".join(sorted(tags)), atom.base)
    else:
        name = graph.resolve_name(atom.base)
        if name is None:
            hint = did_you_mean(atom.base, list(stages) + list(graph.by_task_key)) or \
                "name a stage (file stem of spec/stages/*.yaml) or its task key"
            return set(), SelectorError(f"unknown stage `{atom.base}` in selector", hint, atom.base)
        roots = {name}
    result = set(roots)
    for root in roots:
        if atom.ancestors:
            result |= graph.ancestors(root, atom.ancestor_depth)
        if atom.descendants:
            result |= graph.descendants(root, atom.descendant_depth)
    return result, None


def select(text: str, graph, universe=None) -> tuple[set[str], list[SelectorError]]:
    """Parse and evaluate in one call."""
    selector, errors = parse(text)
    if selector is None:
        return set(), errors
    return evaluate(selector, graph, universe)
