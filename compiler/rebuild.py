"""The one-stage rebuild: when only some stages' spec files or sources changed, and only in what
their own notebook carries (the description, the code), re-render those notebooks and nothing else.

What a stage's spec decides besides its description (task key, dependencies, targets, parameters,
objects, settings, requirements, source) shapes the jobs, the graphs and every check, so a change
there is a full build. So is a change of what the compiler learns from the code (parameters read,
`ctx.bundle_path` calls, back doors, `run`, the modules it imports, calls the runtime refuses):
those facts feed the checks. What remains is exactly
what the full build puts into the notebook's two holes (render.notebook_parts), filled the same way
(render.fill_notebook), so both paths give the same bytes; a test holds them to it.

The full build leaves what this needs in build/.compiler/: per stage in the manifest, the input
keys of its spec file and source, digests of its spec without the description and of its source
facts, and where its diagnostics would be shown; and the notebooks' skeletons (notebooks.pickle),
tied to the manifest by their digests. Anything missing, damaged or unexpected means a full build,
never a guess. A stage with a diagnostic of its own (in its spec file or source) is always rebuilt
in full, so the diagnostics the manifest carries stay exact.
"""

from __future__ import annotations

import json
import os
import pickle

from .files import digest

SKELETONS = os.path.join(".compiler", "notebooks.pickle")


def stage_shape(data: dict) -> str:
    """The digest of a stage's spec without its description: what else shapes the build."""
    return digest(json.dumps({k: v for k, v in data.items() if k != "description"}, sort_keys=True,
                             default=repr).encode())


def code_shape(source: str, forbidden_imports) -> str | None:
    """The digest of what the checks learn from a stage's code, positions aside: its source facts
    (parameters read, `ctx.bundle_path` calls, back doors, `run`), the modules it imports (the
    import closure check walks them) and its calls the runtime refuses (E520). None: no parse."""
    import ast

    from .check_closure import _imports, _refused_calls_in
    from .check_sources import analyse_tree

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    facts = analyse_tree(tree, tuple(forbidden_imports))
    refused = _refused_calls_in(tree, "", "", source.splitlines())
    return digest(json.dumps([sorted(facts.reads), [p[:2] + p[4:] for p in facts.problems], facts.has_run,
                              [[list(p[0]), p[1]] for p in facts.bundle_paths], sorted(set(_imports(tree))),
                              len(refused)]).encode())


def skeleton_digest(parts) -> str:
    return digest(pickle.dumps(parts, protocol=4))


def save_skeletons(out_dir: str, skeletons: dict) -> None:
    path = os.path.join(out_dir, SKELETONS)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as handle:
        pickle.dump(skeletons, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + ".tmp", path)


def _load_skeletons(out_dir: str) -> dict:
    try:
        with open(os.path.join(out_dir, SKELETONS), "rb") as handle:
            data = pickle.load(handle)
        return data if isinstance(data, dict) else {}
    except Exception:  # noqa: BLE001 - a damaged file only means a full build
        return {}


def rebuild_stages(spec_dir: str, out_dir: str, manifest: dict, changed: set[str], previous_diags) \
        -> dict[str, bytes] | None:
    """The new bytes of the notebooks of the stages whose spec file or source changed, or None
    when the change needs a full build."""
    records = manifest.get("stages") or {}
    touched = {name for name, r in records.items() if r.get("spec") in changed or r.get("source") in changed}
    if not touched:
        return None
    shown = {place for name in touched for place in records[name].get("shown", [])}
    for d in previous_diags:
        if d.file in shown or any(r[0] in shown for r in d.related):
            return None
    skeletons = _load_skeletons(out_dir)
    spec_dir = os.path.abspath(spec_dir)
    files = {}
    for name in sorted(touched):
        notebook = _one_stage(spec_dir, name, records[name], skeletons.get(name), changed)
        if notebook is None:
            return None
        files[f"stages/{name}.py"] = notebook
    return files


def _one_stage(spec_dir: str, name: str, record: dict, skeleton, changed: set[str]) -> bytes | None:
    from .notebook_text import fill_notebook, read_source

    if not skeleton or skeleton_digest(skeleton[0]) != record.get("skeleton"):
        return None
    parts, description = skeleton
    path = os.path.join(spec_dir, "stages", f"{name}.yaml")
    data = None
    if record["spec"] in changed:
        data = _load_stage(name, path)
        if data is None or stage_shape(data) != record.get("shape"):
            return None
        from .templating import has_jinja

        description = data["description"]
        if not isinstance(description, str) or has_jinja(description):
            return None
    source_rel = record["source"].split("/", 1)[1]
    project = os.path.dirname(spec_dir)
    try:
        source = read_source(project, source_rel)
    except (OSError, UnicodeDecodeError):
        return None
    if record["source"] in changed and not _same_facts(source, record):
        return None
    return fill_notebook(parts, description, source)


def _load_stage(name: str, path: str) -> dict | None:
    """The stage file's data when it loads without a word and its description is valid, else
    None. The rest of the file has the shape of the last full build, which validated it; the
    description is checked against the schema's own rule for it (only type and length keywords are
    understood here: a schema that says more sends the build down the full path)."""
    from .load import load_file

    diags: list = []
    loaded = load_file("stage", name, path, diags)
    if loaded is None or diags or not isinstance(loaded.data, dict):
        return None
    rule = _description_rule()
    description = loaded.data.get("description")
    if rule is None or not isinstance(description, str) or not \
            rule.get("minLength", 0) <= len(description) <= rule.get("maxLength", len(description)):
        return None
    return loaded.data


def _description_rule() -> dict | None:
    from .validate import schema_path

    with open(schema_path("stage"), encoding="utf-8") as handle:
        rule = json.load(handle)["properties"]["description"]
    return rule if set(rule) <= {"description", "type", "minLength", "maxLength"} and rule.get("type") == "string" \
        else None


def _same_facts(source: str, record: dict) -> bool:
    shape = code_shape(source, record.get("forbidden_imports", ()))
    return shape is not None and shape == record.get("facts")
