"""Pass 6, check data flow: within each target, a stage that consumes an object another stage
produces must run after it (depend on it, directly or transitively).

Objects are names with {PARAMETER} placeholders, compared as written: `{CATALOG}.lakeflow.all_events`.
A stage `produces` what exists when it ends; it `async_produces` what the jobs it starts write
later (a scheduled stream's table). Depending on such a stage is not enough to see its object: the
consumer must also wait for it, bounded, and say so in `waits_for` (E603), unless another stage of
the target creates it up front. Two stages of one target writing the same object without being
ordered are reported as a warning (they can race).
"""

from __future__ import annotations

import re

from .diagnostics import Diagnostic, did_you_mean, diag
from .graph import StageGraph
from .model import Spec
from .resolve import Resolved

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
OBJECT_KEYS = ("produces", "async_produces", "consumes", "waits_for")


def check_dataflow(spec: Spec, graph: StageGraph, resolved: Resolved) -> list[Diagnostic]:
    diags = _check_placeholders(spec)
    ancestors = AncestorSets(graph)
    for target in resolved.targets.values():
        sync, later = _writers(spec, target.members)
        for name in sorted(target.members):
            diags += _check_consumer(spec, target.name, name, sync, later, ancestors)
        diags += _check_unordered_writers(spec, target.name, sync, later, ancestors)
    return diags


def _writers(spec: Spec, members: set[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    sync: dict[str, list[str]] = {}
    later: dict[str, list[str]] = {}
    for name in sorted(members):
        for obj in spec.stages[name].produces:
            sync.setdefault(obj, []).append(name)
        for obj in spec.stages[name].async_produces:
            later.setdefault(obj, []).append(name)
    return sync, later


def _check_consumer(spec, target: str, name: str, sync, later, ancestors) -> list[Diagnostic]:
    stage, diags = spec.stages[name], []
    consumed = [("consumes", i, obj) for i, obj in enumerate(stage.consumes)]
    consumed += [("waits_for", i, obj) for i, obj in enumerate(stage.waits_for) if obj not in stage.consumes]
    for key, i, obj in consumed:
        where = stage.file.where((key, i))
        makers = [p for p in sync.get(obj, []) if p != name]
        async_makers = [p for p in later.get(obj, []) if p != name]
        writers = makers or async_makers
        if writers and not any(ancestors.is_ancestor(w, name) for w in writers):
            diags.append(diag(
                "E600", f"stage {name} consumes `{obj}`, which {' and '.join(writers)} produce(s) in target {target}, "
                        "but does not depend on it", where,
                f"add {writers[0]} to the `depends_on` of {name} (directly or through a stage that depends on it)"))
        elif not makers and async_makers and obj not in stage.waits_for:
            diags.append(diag(
                "E603", f"stage {name} consumes `{obj}`, which the job of {' and '.join(async_makers)} writes only "
                        f"after that stage ends (target {target}), and nothing waits for it", where,
                f"wait for it (bounded) in {name} and list it under `waits_for`, or depend on a stage that creates "
                "it up front"))
    for i, obj in enumerate(stage.waits_for):
        if not [p for p in later.get(obj, []) if p != name]:
            diags.append(diag(
                "W604", f"stage {name} waits for `{obj}`, which no stage of target {target} writes asynchronously",
                stage.file.where(("waits_for", i)),
                "remove it from `waits_for`, or list it under the producer's `async_produces`"))
    return diags


def _check_unordered_writers(spec, target: str, sync, later, ancestors) -> list[Diagnostic]:
    diags = []
    producers: dict[str, list[str]] = {}
    for table in (sync, later):
        for obj, names in table.items():
            producers.setdefault(obj, []).extend(names)
    for obj, writers in sorted(producers.items()):
        if _is_schema(obj):  # get-or-create by the runtime, which tolerates a concurrent creation
            continue
        writers = sorted(set(writers))
        for later_name in writers[1:]:
            for earlier in writers[: writers.index(later_name)]:
                if ancestors.is_ancestor(earlier, later_name) or ancestors.is_ancestor(later_name, earlier):
                    continue
                stage, other = spec.stages[later_name], spec.stages[earlier]
                diags.append(diag(
                    "W601", f"`{obj}` is produced by both {earlier} and {later_name} in target {target}, "
                            "which can run at the same time", _where_produced(stage, obj),
                    "order them with `depends_on`, or give the objects different names",
                    related=[_where_produced(other, obj)]))
    return diags


def _is_schema(obj: str) -> bool:
    """`{CATALOG}.name`: a Unity Catalog schema (no kind prefix, two parts). Several stages may
    declare one they all need; none of them replaces it."""
    return ":" not in obj.split(".")[0] and obj.count(".") == 1


def _where_produced(stage, obj: str):
    key = "produces" if obj in stage.produces else "async_produces"
    return stage.file.where((key, getattr(stage, key).index(obj)))


def _check_placeholders(spec: Spec) -> list[Diagnostic]:
    diags = []
    catalogue = list(spec.bundle.parameters)
    for stage in spec.stages.values():
        for key in OBJECT_KEYS:
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
