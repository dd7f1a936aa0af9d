"""Pass 4, check graph: unknown and self dependencies, cycles (printed as a path), and
dependencies that a target leaves out."""

from __future__ import annotations

from .diagnostics import Diagnostic, did_you_mean, diag
from .graph import StageGraph
from .model import Spec
from .resolve import Resolved


def check_graph(spec: Spec, graph: StageGraph, resolved: Resolved) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    names = list(spec.stages)
    for stage in spec.stages.values():
        for i, dep in enumerate(stage.depends_on):
            where = stage.file.where(("depends_on", i))
            if dep == stage.name:
                diags.append(diag("E401", f"stage {stage.name} depends on itself", where,
                                  "remove it from its own `depends_on`"))
            elif dep not in spec.stages:
                owner = graph.by_task_key.get(dep)
                hint = (f"`depends_on` takes stage names; `{dep}` is the task key of stage `{owner}`"
                        if owner else did_you_mean(dep, names) or "stages: " + ", ".join(names))
                diags.append(diag("E400", f"stage {stage.name} depends on unknown stage `{dep}`", where, hint))

    for cycle in graph.cycles():
        # Graph edges run dependency -> dependent; print the `depends_on` direction instead.
        path = list(reversed(cycle))
        first, second = path[0], path[1]
        stage = spec.stages[first]
        where = stage.file.where(("depends_on", stage.depends_on.index(second)))
        diags.append(diag("E402", "dependency cycle: " + " -> ".join(path) + " (each stage depends on the next)",
                          where, f"remove one edge of the cycle, e.g. `{second}` from {first}'s `depends_on`"))

    for target in resolved.targets.values():
        for name in sorted(target.members):
            stage = spec.stages[name]
            for i, dep in enumerate(stage.depends_on):
                if dep in spec.stages and dep != name and dep not in target.members:
                    diags.append(diag(
                        "E403",
                        f"stage {name} is in target {target.name} but its dependency {dep} is not",
                        stage.file.where(("depends_on", i)),
                        f"add {target.name} to the `targets` of spec/stages/{dep}.yaml, "
                        f"or take {name} out of {target.name}"))
    return diags
