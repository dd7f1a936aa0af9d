"""Pass 6, check data flow: within each target, a stage that consumes an object another stage
produces must run after it (depend on it, directly or transitively). Two stages of one target that
write the same object without being ordered are reported as a warning (they can race).

Objects are names with {PARAMETER} placeholders, compared as written: `{CATALOG}.lakeflow.all_events`.
"""

from __future__ import annotations

import re

from .diagnostics import Diagnostic, did_you_mean, diag
from .graph import StageGraph
from .model import Spec
from .resolve import Resolved

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def check_dataflow(spec: Spec, graph: StageGraph, resolved: Resolved) -> list[Diagnostic]:
    diags = _check_placeholders(spec)
    ancestors = AncestorSets(graph)
    for target in resolved.targets.values():
        producers: dict[str, list[str]] = {}
        for name in sorted(target.members):
            for obj in spec.stages[name].produces:
                producers.setdefault(obj, []).append(name)
        for name in sorted(target.members):
            stage = spec.stages[name]
            for i, obj in enumerate(stage.consumes):
                writers = [p for p in producers.get(obj, []) if p != name]
                if writers and not any(ancestors.is_ancestor(w, name) for w in writers):
                    diags.append(diag(
                        "E600",
                        f"stage {name} consumes `{obj}`, which {' and '.join(writers)} produce(s) in target "
                        f"{target.name}, but does not depend on it",
                        stage.file.where(("consumes", i)),
                        f"add {writers[0]} to the `depends_on` of {name} (directly or through a stage that "
                        f"depends on it)"))
        for obj, writers in sorted(producers.items()):
            for later in writers[1:]:
                for earlier in writers[: writers.index(later)]:
                    if not (ancestors.is_ancestor(earlier, later) or ancestors.is_ancestor(later, earlier)):
                        stage, other = spec.stages[later], spec.stages[earlier]
                        diags.append(diag(
                            "W601",
                            f"`{obj}` is produced by both {earlier} and {later} in target {target.name}, "
                            "which can run at the same time",
                            stage.file.where(("produces", stage.produces.index(obj))),
                            "order them with `depends_on`, or give the objects different names",
                            related=[other.file.where(("produces", other.produces.index(obj)))]))
    return diags


def _check_placeholders(spec: Spec) -> list[Diagnostic]:
    diags = []
    catalogue = list(spec.bundle.parameters)
    for stage in spec.stages.values():
        for key in ("produces", "consumes"):
            for i, obj in enumerate(getattr(stage, key)):
                for name in PLACEHOLDER.findall(obj):
                    if name not in spec.bundle.parameters:
                        diags.append(diag("E602", f"`{{{name}}}` in {key} of stage {stage.name} is not a parameter",
                                          stage.file.where((key, i)),
                                          did_you_mean(name, catalogue) or "placeholders name catalogue parameters"))
    return diags


class AncestorSets:
    """Ancestor sets as Python-int bitsets, filled in topological order: linear in edges, so the
    data-flow check stays fast for thousands of stages."""

    def __init__(self, graph: StageGraph):
        self._graph = graph
        self._bits: dict[str, int] | None = None
        self._index = {name: i for i, name in enumerate(sorted(graph.stages))}

    def _compute(self) -> dict[str, int]:
        nx = self._graph._nx
        graph = self._graph.graph
        bits: dict[str, int] = {}
        order = nx.topological_sort(graph) if nx.is_directed_acyclic_graph(graph) else sorted(graph)
        for name in order:
            acc = 0
            for dep in graph.predecessors(name):
                acc |= bits.get(dep, 0) | (1 << self._index[dep])
            bits[name] = acc
        return bits

    def is_ancestor(self, maybe: str, name: str) -> bool:
        if self._bits is None:
            self._bits = self._compute()
        return bool(self._bits[name] >> self._index[maybe] & 1)
