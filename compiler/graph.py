"""A thin wrapper over one networkx DiGraph of stages, and dbt-like selectors over it.

Edges point from a dependency to its dependent (`canonical_data -> lakeflow`), so ancestors are
what must run first and descendants are what a change affects. Unknown dependencies are left out
of the graph (the graph check reports them); everything else is networkx.

Selector syntax (used by target `select`/`exclude` and by `make run ONLY=...`):
  `lakeflow` or `Spark_Declarative_Pipeline`   a stage, by stage name or task key
  `+lakebase`  with all its ancestors;  `2+lakebase`  ancestors up to 2 levels
  `lakeflow+`  with all its descendants; `lakeflow+1` descendants up to 1 level
  `tag:menus`  stages with that tag;  `*`  every stage
  `a b`        union (space-separated);  `tag:agent,+apps`  intersection (comma-separated)
"""

from __future__ import annotations

import re
from typing import Iterable

from .diagnostics import did_you_mean

_ATOM = re.compile(r"^(?:(?P<up>\d*)(?P<up_plus>\+))?(?P<base>[^+\s,]+?)(?:(?P<down_plus>\+)(?P<down>\d*))?$")


class StageGraph:
    def __init__(self, stages: dict):
        import networkx as nx

        self._nx = nx
        self.stages = stages
        graph = nx.DiGraph()
        graph.add_nodes_from(sorted(stages))
        for name in sorted(stages):
            for dep in stages[name].depends_on:
                if dep in stages and dep != name:
                    graph.add_edge(dep, name)
        self.graph = graph
        self._orders: dict[frozenset, list[str]] = {}
        self.by_task_key = {}
        for name in sorted(stages):
            self.by_task_key.setdefault(stages[name].task_key, name)

    def ancestors(self, name: str, depth: int | None = None) -> set[str]:
        if depth is None:
            return set(self._nx.ancestors(self.graph, name))
        reached = self._nx.single_source_shortest_path_length(self.graph.reverse(copy=False), name, cutoff=depth)
        return set(reached) - {name}

    def descendants(self, name: str, depth: int | None = None) -> set[str]:
        if depth is None:
            return set(self._nx.descendants(self.graph, name))
        reached = self._nx.single_source_shortest_path_length(self.graph, name, cutoff=depth)
        return set(reached) - {name}

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected component, as a path starting at its smallest stage."""
        found = []
        for component in self._nx.strongly_connected_components(self.graph):
            if len(component) < 2:
                continue
            start = min(component)
            sub = self.graph.subgraph(component)
            edges = self._nx.find_cycle(sub, source=start)
            path = [edges[0][0]] + [edge[1] for edge in edges]
            # Rotate so the cycle starts (and ends) at its smallest member: stable output.
            body = path[:-1]
            pivot = body.index(min(body))
            body = body[pivot:] + body[:pivot]
            found.append(body + [body[0]])
        return sorted(found)

    def topological_order(self, members: Iterable[str]) -> list[str]:
        """Dependencies first; ties broken by stage name, so the order is deterministic.
        Memoised per set of members: render and the graph drawings ask for each target's order."""
        key = frozenset(members)
        if key not in self._orders:
            whole = len(key) == self.graph.number_of_nodes()
            sub = self.graph if whole else self.graph.subgraph(key)
            self._orders[key] = list(self._nx.lexicographical_topological_sort(sub))
        return list(self._orders[key])

    def resolve_name(self, token: str) -> str | None:
        if token in self.stages:
            return token
        return self.by_task_key.get(token)

    def select(self, expression: str, universe: Iterable[str] | None = None) -> tuple[set[str], list[str]]:
        """Evaluate a selector. Returns the selected stage names and error messages (with hints)."""
        universe_set = set(self.stages) if universe is None else set(universe)
        selected: set[str] = set()
        errors: list[str] = []
        terms = expression.split()
        if not terms:
            return set(), ["empty selector; hint: use `*`, a stage name, `+stage`, `stage+` or `tag:x`"]
        for term in terms:
            chosen: set[str] | None = None
            for atom in term.split(","):
                found, problem = self._atom(atom)
                if problem:
                    errors.append(problem)
                    found = set()
                chosen = found if chosen is None else chosen & found
            selected |= chosen or set()
        return selected & universe_set, errors

    def _atom(self, atom: str) -> tuple[set[str], str]:
        match = _ATOM.fullmatch(atom)
        if not atom or not match:
            return set(), (f"cannot read selector `{atom}`; hint: use `*`, `name`, `+name`, `name+`, "
                           "`2+name`, `tag:x`, spaces for union and commas for intersection")
        base = match["base"]
        if base == "*":
            roots = set(self.stages)
        elif base.startswith("tag:"):
            tag = base[4:]
            roots = {name for name, stage in self.stages.items() if tag in stage.tags}
            if not roots:
                all_tags = {t for stage in self.stages.values() for t in stage.tags}
                hint = did_you_mean(tag, all_tags) or "tags: " + ", ".join(sorted(all_tags))
                return set(), f"no stage has tag `{tag}`; hint: {hint}"
        else:
            name = self.resolve_name(base)
            if name is None:
                hint = did_you_mean(base, list(self.stages) + list(self.by_task_key)) or \
                    "name a stage (file stem of spec/stages/*.yaml) or its task key"
                return set(), f"unknown stage `{base}` in selector; hint: {hint}"
            roots = {name}
        result = set(roots)
        for root in roots:
            if match["up_plus"]:
                result |= self.ancestors(root, int(match["up"]) if match["up"] else None)
            if match["down_plus"]:
                result |= self.descendants(root, int(match["down"]) if match["down"] else None)
        return result, ""
