"""The DAG of each target, drawn (Mermaid always, Graphviz when `dot` is installed), and `explain`:
what a stage is, where it runs, and what changing it would affect.

Stages are coloured by the main kind of thing they create (from `produces`: jobs, pipelines,
endpoints, apps, Lakebase, tables) and stages shared by several targets get a thick border.
"""

from __future__ import annotations

import re
import shutil
import subprocess

# produces prefix -> (class name, fill colour); UC names without a prefix are tables/schemas/volumes.
KINDS = [
    ("endpoint:", "agent", "#f6d5f7"), ("knowledge_assistant:", "agent", "#f6d5f7"),
    ("multi_agent_supervisor:", "agent", "#f6d5f7"), ("genie_space:", "agent", "#f6d5f7"),
    ("app:", "app", "#fde2c4"), ("database_instance:", "lakebase", "#d4f0e2"),
    ("pipeline:", "pipeline", "#d6e6fb"), ("job:", "job", "#fff4c2"), ("warehouse:", "app", "#fde2c4"),
]
TABLES = ("data", "#e8e8e8")
EMBED_LIMIT = 300  # stages per target drawn inline in build/README.md
CLASS_COLOURS = {name: colour for _, name, colour in KINDS} | {TABLES[0]: TABLES[1], "other": "#ffffff"}


def stage_class(produces: list[str]) -> str:
    for prefix, name, _ in KINDS:
        if any(obj.startswith(prefix) for obj in produces):
            return name
    return TABLES[0] if produces else "other"


def target_edges(compilation, target: str) -> tuple[list[str], list[tuple[str, str]]]:
    members = compilation.resolved.targets[target].members
    order = compilation.graph.topological_order(members)
    edges = [(dep, name) for name in order for dep in compilation.spec.stages[name].depends_on if dep in members]
    return order, edges


def shared_stages(compilation) -> set[str]:
    """Stages that several targets name (joining `all` through its selector does not count)."""
    counts: dict[str, int] = {}
    for target in compilation.resolved.targets.values():
        for name in target.members - target.selected:
            counts[name] = counts.get(name, 0) + 1
    return {name for name, count in counts.items() if count > 1}


def _label(text: str) -> str:
    return re.sub(r'["<>]', "_", text)


# Words Mermaid reads as syntax wherever they stand (`end` closes a subgraph, `class` assigns one):
# a stage named like one is drawn under another id (the label still shows its name).
MERMAID_KEYWORDS = {"end", "graph", "flowchart", "subgraph", "class", "classdef", "click", "style", "linkstyle",
                    "direction", "call", "href", "default", "interpolate"}


def mermaid_ids(names) -> dict[str, str]:
    taken = set(names)
    ids = {}
    for name in sorted(names):
        if name.lower() not in MERMAID_KEYWORDS:
            ids[name] = name
            continue
        candidate = name.upper() if name.upper() not in taken else f"{name}_stage"
        while candidate in taken or candidate.lower() in MERMAID_KEYWORDS:
            candidate += "_"
        taken.add(candidate)
        ids[name] = candidate
    return ids


def mermaid(compilation, target: str) -> str:
    order, edges = target_edges(compilation, target)
    shared = shared_stages(compilation)
    ids = mermaid_ids(compilation.spec.stages)
    lines = [f"%% DAG of target {target}, generated from spec/ (task key, stage name)", "flowchart LR"]
    for name in order:
        stage = compilation.spec.stages[name]
        lines.append(f'  {ids[name]}["{_label(stage.task_key)}<br/>{name}"]:::{stage_class(stage.produces)}')
    for dep, name in edges:
        lines.append(f"  {ids[dep]} --> {ids[name]}")
    for cls, colour in CLASS_COLOURS.items():
        lines.append(f"  classDef {cls} fill:{colour},stroke:#555")
    marked = [ids[name] for name in order if name in shared]
    if marked:
        lines.append(f"  class {','.join(marked)} shared")
        lines.append("  classDef shared stroke-width:3px,stroke:#222")
    return "\n".join(lines) + "\n"


def parse_mermaid_edges(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^\s*(\w+) --> (\w+)\s*$", text, flags=re.M)]


def dot(compilation, target: str) -> str:
    order, edges = target_edges(compilation, target)
    shared = shared_stages(compilation)
    lines = [f'digraph "{_label(target)}" {{', "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for name in order:
        stage = compilation.spec.stages[name]
        colour = CLASS_COLOURS[stage_class(stage.produces)]
        width = 3 if name in shared else 1
        # ids quoted: a stage may be named like a DOT keyword (node, edge, graph, digraph, subgraph, strict)
        lines.append(f'  "{name}" [label="{_label(stage.task_key)}\\n{name}", fillcolor="{colour}", penwidth={width}];')
    lines += [f'  "{dep}" -> "{name}";' for dep, name in edges]
    return "\n".join(lines + ["}"]) + "\n"


def graph_files(compilation) -> dict[str, bytes]:
    """graphs/<target>.mmd for every target and README.md embedding them (part of every build)."""
    files = {}
    sections = ["# Generated bundle", "", "Generated from spec/ by the bundle compiler. Do not edit.", "",
                "Colours by what a stage creates: " + ", ".join(CLASS_COLOURS) + "; a thick border marks a "
                "stage that several targets name.", ""]
    for target in compilation.resolved.targets:
        text = mermaid(compilation, target)
        files[f"graphs/{target}.mmd"] = text.encode()
        sections += [f"## Target `{target}`", ""]
        members = len(compilation.resolved.targets[target].members)
        if members <= EMBED_LIMIT:
            sections += ["```mermaid", text.rstrip(), "```", ""]
        else:  # Mermaid cannot lay out graphs this large; the file is still there for tools
            sections += [f"{members} stages: too many to draw here; see graphs/{target}.mmd.", ""]
    files["README.md"] = ("\n".join(sections).rstrip() + "\n").encode()
    return files


def render_images(compilation, out_dir: str, formats=("svg", "png"), targets=None) -> list[str]:
    """Graphviz renderings of the targets' DAGs (every target's by default) into out_dir/graphs/;
    [] when `dot` is not installed."""
    import os

    dot_bin = shutil.which("dot")
    if not dot_bin:
        return []
    written = []
    os.makedirs(f"{out_dir}/graphs", exist_ok=True)
    for target in targets or list(compilation.resolved.targets):
        source = dot(compilation, target)
        for fmt in formats:
            path = f"{out_dir}/graphs/{target}.{fmt}"
            subprocess.run([dot_bin, f"-T{fmt}", "-o", path], input=source.encode(), check=True)
            written.append(path)
    return written


def explain(compilation, stage_name: str) -> str:
    spec, graph, resolved = compilation.spec, compilation.graph, compilation.resolved
    stage = spec.stages[stage_name]
    lines = [f"{stage.name} (task {stage.task_key})", f"  {resolved.stage_descriptions[stage.name]}", ""]
    member_of = [t for t in resolved.targets.values() if stage.name in t.members]
    how = {t.name: ("via selector" if stage.name in t.selected else "named") for t in member_of}
    lines.append("targets: " + (", ".join(f"{t} ({h})" for t, h in how.items()) or "none"))
    for t, reason in stage.opt_out.items():
        lines.append(f"  opts out of {t}: {reason}")
    lines.append("ancestors: " + (", ".join(graph.topological_order(graph.ancestors(stage.name))) or "none"))
    lines.append("descendants: " + (", ".join(graph.topological_order(graph.descendants(stage.name))) or "none"))
    lines.append("")
    if stage.parameters and member_of:
        lines.append("parameters (default per target):")
        for param in stage.parameters:
            values = ", ".join(f"{t.name}={t.parameters.get(param)!r}" for t in member_of)
            lines.append(f"  {param}: {values}")
    else:
        lines.append("parameters: " + (", ".join(stage.parameters) or "none"))
    lines.append("produces: " + (", ".join(stage.produces) or "nothing declared"))
    lines.append("consumes: " + (", ".join(stage.consumes) or "nothing declared"))
    lines.append("")
    lines.append("changing it affects:")
    for target in member_of:
        affected = graph.descendants(stage.name) & target.members
        readers = {name for name in target.members for obj in spec.stages[name].consumes if obj in stage.produces}
        affected |= readers - {stage.name}
        order = graph.topological_order(affected)
        lines.append(f"  {target.name}: {stage.name}" + (" and " + ", ".join(order) if order else " only"))
    if not member_of:
        lines.append("  no target (the stage is in none)")
    return "\n".join(lines)
