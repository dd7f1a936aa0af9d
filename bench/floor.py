"""The floor: the least a compiler of this kind must do, with no validation and no diagnostics.

Reads every spec/stages/*.yaml (libyaml C loader), builds the dependency graph with networkx and
checks it is acyclic, renders one Jinja template per stage (its notebook), dumps one
databricks.yml with every target's job (PyYAML's C dumper), and writes the outputs.
With --skip-unchanged it does not rewrite files whose bytes are already on disk.

    python bench/floor.py SPEC_DIR OUT_DIR [--skip-unchanged]
"""

import os
import sys

import jinja2
import networkx as nx
import yaml

NOTEBOOK = jinja2.Template(
    "# Databricks notebook source\n# {{ name }}: {{ description }}\n\n# COMMAND ----------\n\n"
    "import sys\nsys.path.insert(0, '../src')\nSTAGE = {{ record }}\n")


def main(spec_dir: str, out_dir: str, skip_unchanged: bool) -> None:
    folder = os.path.join(spec_dir, "stages")
    stages = {}
    for entry in sorted(os.listdir(folder)):
        with open(os.path.join(folder, entry), encoding="utf-8") as handle:
            stages[entry[:-5]] = yaml.load(handle, Loader=yaml.CSafeLoader)
    graph = nx.DiGraph()
    graph.add_nodes_from(stages)
    for name, stage in stages.items():
        graph.add_edges_from((dep, name) for dep in stage.get("depends_on", []))
    if not nx.is_directed_acyclic_graph(graph):
        sys.exit("cycle")
    order = list(nx.topological_sort(graph))
    outputs = {}
    for name in order:
        stage = stages[name]
        record = repr({"name": name, "task_key": stage["task_key"], "parameters": stage.get("parameters", [])})
        outputs[f"stages/{name}.py"] = NOTEBOOK.render(name=name, description=stage["description"], record=record)
    targets = {}
    for name in order:
        stage = stages[name]
        for target in stage.get("targets", []):
            tasks = targets.setdefault(target, [])
            tasks.append({"task_key": stage["task_key"], "notebook_task": {"notebook_path": f"stages/{name}.py"},
                          "depends_on": [{"task_key": stages[d]["task_key"]} for d in stage.get("depends_on", [])]})
    bundle = {"targets": {t: {"resources": {"jobs": {"main": {"name": "job", "tasks": tasks}}}}
                          for t, tasks in sorted(targets.items())}}
    outputs["databricks.yml"] = yaml.dump(bundle, Dumper=yaml.CSafeDumper, sort_keys=False)
    for rel, text in outputs.items():
        path = os.path.join(out_dir, rel)
        data = text.encode()
        if skip_unchanged and os.path.exists(path):
            with open(path, "rb") as handle:
                if handle.read() == data:
                    continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--skip-unchanged" in sys.argv)
