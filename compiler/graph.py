"""A thin wrapper over one networkx DiGraph of stages.

Edges point from a dependency to its dependent (`canonical_data -> lakeflow`), so ancestors are
what must run first and descendants are what a change affects. Unknown dependencies are left out
of the graph (the graph check reports them); everything else is networkx. Selectors over the graph
live in selectors.py.
"""

from __future__ import annotations

from typing import Iterable


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
