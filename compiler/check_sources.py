"""Pass 5, check stage sources and parameters.

Each stage's `src/stages/<name>.py` is parsed with `ast` (never imported or run). The stage
contract: a module-level `def run(ctx)`, parameters read only as `ctx.params["NAME"]` or
`ctx.params.get("NAME")` with literal names, and no back doors around the runtime: no client of
its own (`WorkspaceClient`, `ApiClient`, `Config`, by any alias, `type(w)()`, the client's private
parts or its auth headers: use `ctx.workspace`, whose creations are registered), no
`dbutils.widgets` (parameters come through `ctx.params`), no direct writes to the state store.

Then: every parameter the code reads must be declared by the stage (error), every declared one
should be read (warning), and every declared one must have a value in every target the stage is in.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Where, diag
from .load import display_path
from .model import Spec, Stage
from .resolve import Resolved

# Ways to a workspace client that ctx.workspace does not track (E506): the SDK's client classes and
# its configuration (by any alias), `type(w)()`, the client's private parts, its auth headers.
CLIENT_CLASSES = ("WorkspaceClient", "AccountClient", "ApiClient", "Config")
CLIENT_MODULES = ("databricks.sdk", "databricks.sdk.core", "databricks.sdk.config")
PRIVATE_CLIENT_PARTS = ("_api_client", "_session")
CLIENT_HINT = "use ctx.workspace: what it creates is registered in uc_state automatically"


@dataclass
class SourceFacts:
    """What one stage source does, as far as the checks care."""

    reads: dict[str, tuple[int, int]] = field(default_factory=dict)  # parameter -> first (line, col)
    problems: list[tuple[str, str, int, int, str]] = field(default_factory=list)  # code, message, line, col, hint
    has_run: bool = False
    # ctx.bundle_path(...) calls: (literal leading parts, whether every argument was literal, line, col)
    bundle_paths: list[tuple[tuple[str, ...], bool, int, int]] = field(default_factory=list)


def check_sources(spec: Spec, resolved: Resolved, cache=None) -> tuple[dict[str, SourceFacts], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    facts: dict[str, SourceFacts] = {}
    for stage in spec.stages.values():
        stage_facts = _analyse_stage(spec, stage, diags, cache)
        if stage_facts is None:
            continue
        facts[stage.name] = stage_facts
        _compare_parameters(stage, stage_facts, display_path(source_path(spec, stage)), diags)
    diags += _check_state_value(spec, resolved) + _check_stage_values(spec, resolved) + _check_assets(spec)
    diags += _check_stage_names_shadow_nothing(spec, cache)
    from .check_closure import check_closure  # what the stages import from the project, checked too

    diags += check_closure(spec, {name: source_path(spec, spec.stages[name]) for name in facts})
    return facts, diags


def source_path(spec: Spec, stage: Stage) -> str:
    return os.path.join(spec.project_root, *stage.source.split("/"))


def _analyse_stage(spec: Spec, stage: Stage, diags: list[Diagnostic], cache=None) -> SourceFacts | None:
    path = source_path(spec, stage)
    shown = display_path(path)
    where_source = stage.file.where(("source",)) if "source" in stage.file.data else stage.file.where()
    root = os.path.realpath(spec.project_root)
    if stage.source.startswith("src/stage_runtime/"):
        diags.append(diag("E510", f"source of stage {stage.name} is inside the runtime package ({stage.source})",
                          where_source, "src/stage_runtime/ belongs to the compiler; use src/stages/"))
        return None
    if not os.path.realpath(path).startswith(root + os.sep):
        diags.append(diag("E510", f"source of stage {stage.name} resolves outside the project ({stage.source})",
                          where_source, "keep stage code under src/ in this project; no symlinks out of it"))
        return None
    if not os.path.isfile(path):
        diags.append(diag("E500", f"stage {stage.name} has no source file {stage.source}", where_source,
                          f"create {stage.source} with `def run(ctx):`"))
        return None
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        diags.append(diag("E501", f"stage source is not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
                          Where(shown, 1, 1), "save the file as UTF-8; the notebook carries it as text"))
        return None
    key = None
    if cache is not None:
        from .files import digest as content_hash

        # keyed by the shown path, not the absolute one, so build/ is the same wherever the project is
        key = ("source", shown, content_hash(raw), spec.bundle.runtime.forbidden_imports)
        cached = cache.get(key)
        if cached is not None:
            _report(cached, stage, shown, diags)
            return cached
    try:
        tree = ast.parse(raw, filename=shown)
    except SyntaxError as err:
        diags.append(diag("E501", f"Python syntax error: {err.msg}", Where(shown, err.lineno or 1, err.offset or 1),
                          "fix the stage code; the notebook cannot run it"))
        return None
    except ValueError as err:  # e.g. null bytes
        diags.append(diag("E501", f"cannot parse Python source: {err}", Where(shown, 1, 1)))
        return None
    facts = analyse_tree(tree, spec.bundle.runtime.forbidden_imports)
    if key is not None:
        cache.put(key, facts)
    _report(facts, stage, shown, diags)
    return facts


def _report(facts: SourceFacts, stage: Stage, shown: str, diags: list[Diagnostic]) -> None:
    for code, message, line, col, hint in facts.problems:
        diags.append(diag(code, message, Where(shown, line, col), hint))
    if not facts.has_run:
        diags.append(diag("E502", f"{stage.source} has no module-level `def run(ctx)`", Where(shown, 1, 1),
                          "the generated notebook calls run(ctx); define it with one parameter"))


def analyse_tree(tree: ast.Module, forbidden_imports: tuple[str, ...] = ("stage_runtime.state",)) -> SourceFacts:
    facts = SourceFacts()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "run":
            args = node.args
            positional = args.posonlyargs + args.args
            facts.has_run = len(positional) >= 1 or args.vararg is not None
    for node in ast.walk(tree):
        _visit(node, facts, forbidden_imports)
    return facts


def _is_params(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "params"


def _visit(node: ast.AST, facts: SourceFacts, forbidden_imports: tuple[str, ...]) -> None:
    where = (getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)
    if isinstance(node, ast.Subscript) and _is_params(node.value):
        _record_read(node.slice, where, facts)
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_params(func.value) and node.args:
            _record_read(node.args[0], where, facts)
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "bundle_path" and isinstance(func, ast.Attribute):
            _record_bundle_path(node, where, facts)
        if name in CLIENT_CLASSES:
            facts.problems.append(("E506", f"stage code builds its own {name}", *where, CLIENT_HINT))
        elif isinstance(func, ast.Call) and getattr(func.func, "id", "") == "type":
            facts.problems.append(("E506", "stage code builds a client from type(...)()", *where, CLIENT_HINT))
        elif name == "authenticate":
            facts.problems.append(("E506", "stage code takes the workspace's auth headers (.authenticate()) for "
                                           "calls of its own", *where, CLIENT_HINT))
    elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_CLIENT_PARTS:
        facts.problems.append(("E506", f"stage code reaches into the client's `{node.attr}`", *where, CLIENT_HINT))
    elif isinstance(node, ast.Attribute) and node.attr == "widgets":
        facts.problems.append(("E507", "stage code uses dbutils.widgets directly", *where,
                               "declare the parameter in the stage spec and read ctx.params[\"NAME\"]"))
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        if isinstance(node, ast.ImportFrom) and (node.module or "") in CLIENT_MODULES:
            for alias in node.names:
                if alias.name in CLIENT_CLASSES and alias.asname and alias.asname != alias.name:
                    facts.problems.append(("E506", f"stage code imports {alias.name} as {alias.asname}", *where,
                                           CLIENT_HINT))
        modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for module in modules:
            if any(module == f or module.startswith(f + ".") for f in forbidden_imports):
                facts.problems.append(("E508", f"stage code imports the state store ({module})", *where,
                                       "resources created through ctx.workspace are registered automatically; "
                                       "use ctx.track(kind, obj) for the few created by raw REST calls"))


def _record_bundle_path(call: ast.Call, where: tuple[int, int], facts: SourceFacts) -> None:
    """The literal leading arguments of ctx.bundle_path(...): what the check_sync pass verifies."""
    parts: list[str] = []
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            parts.append(arg.value)
        else:
            facts.bundle_paths.append((tuple(parts), False, *where))
            return
    facts.bundle_paths.append((tuple(parts), not call.keywords, *where))


def _record_read(key: ast.AST, where: tuple[int, int], facts: SourceFacts) -> None:
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        facts.reads.setdefault(key.value, where)
    else:
        facts.problems.append(("E509", "parameter name read through ctx.params is not a literal string", *where,
                               "write ctx.params[\"NAME\"] so the compiler can check the name"))


def _compare_parameters(stage: Stage, facts: SourceFacts, shown_source: str, diags: list[Diagnostic]) -> None:
    for name, (line, col) in sorted(facts.reads.items()):
        if name not in stage.parameters:
            diags.append(diag("E503", f"stage {stage.name} reads parameter `{name}` but does not declare it",
                              Where(shown_source, line, col),
                              f"add {name} to `parameters` in spec/stages/{stage.name}.yaml"))
    for i, name in enumerate(stage.parameters):
        if name not in facts.reads:
            diags.append(diag("W504", f"stage {stage.name} declares parameter `{name}` but its code never reads it",
                              stage.file.where(("parameters", i)),
                              f"read it as ctx.params[\"{name}\"], or remove it from `parameters`"))


def _check_state_value(spec: Spec, resolved: Resolved) -> list[Diagnostic]:
    """The uc_state catalog parameter has a value in every target with stages."""
    state_param, diags = spec.bundle.state_catalog_parameter, []
    for target in resolved.targets.values():
        if target.members and state_param in target.parameters and target.parameters[state_param] is None:
            diags.append(diag("E505", f"the uc_state catalog parameter `{state_param}` has no value in target "
                                      f"{target.name}", spec.bundle.file.where(("parameters", state_param), key=True),
                              f"give it a `default` in spec/bundle.yaml, or set it under `parameters` in "
                              f"spec/targets/{target.name}.yaml"))
    return diags


def _check_stage_values(spec: Spec, resolved: Resolved) -> list[Diagnostic]:
    """Every parameter a stage declares has a value in every target the stage is in."""
    diags = []
    for target in resolved.targets.values():
        for name in sorted(target.members):
            stage = spec.stages[name]
            for i, param in enumerate(stage.parameters):
                if param in target.parameters and target.parameters[param] is None:
                    diags.append(diag("E505", f"parameter `{param}` of stage {name} has no value in target {target.name}",
                                      stage.file.where(("parameters", i)),
                                      f"give it a `default` in spec/bundle.yaml, or set it under `parameters` "
                                      f"in spec/targets/{target.name}.yaml"))
    return diags


# Imported by the runtime, the stages or the libraries they pin: a notebook named like one would be
# imported in its place (a notebook's own folder comes first on the import path).
RUNTIME_IMPORTS = ("stage_runtime", "databricks", "mlflow", "openai", "pyspark", "pandas", "delta", "yaml")


def _check_stage_names_shadow_nothing(spec: Spec, cache=None) -> list[Diagnostic]:
    """The generated notebook `stages/<name>.py` runs with `stages/` first on the import path, so a
    stage named like a package the bundle ships (an asset folder with __init__.py), the runtime, a
    library the notebooks may import or a standard module would be imported instead of it. The
    libraries: those installed where the compiler runs (their top-level modules, as
    importlib.metadata reports them), those the project's lock files and the spec's requirements
    pin (by their modules when installed, else by their normalised names), and the runtime's own."""
    import sys

    packages = {}
    for bundle_path, folder in spec.bundle.assets.items():
        top = bundle_path.split("/")[0]
        if "/" not in bundle_path and os.path.isfile(os.path.join(spec.project_root, *folder.split("/"), "__init__.py")):
            packages[top] = f"the asset package {bundle_path}/ ({folder})"
    installed = installed_modules()
    by_distribution: dict[str, list[str]] = {}
    for module, distribution in installed.items():
        by_distribution.setdefault(_normalise(distribution), []).append(module)
    for name in RUNTIME_IMPORTS:
        packages.setdefault(name, f"the package {name}")
    for distribution, origin in _pinned(spec):
        for module in by_distribution.get(_normalise(distribution), [_normalise(distribution).replace("-", "_")]):
            packages.setdefault(module, f"the module {module} of {distribution} (pinned in {origin})")
    for module, distribution in sorted(installed.items()):
        packages.setdefault(module, f"the installed module {module} ({distribution})")
    diags = []
    for name, stage in sorted(spec.stages.items()):
        what = packages.get(name) or (f"the standard module {name}" if name in sys.stdlib_module_names else None)
        if what:
            diags.append(diag("E515", f"stage {name} has the name of {what}: its notebook stages/{name}.py would be "
                                      "imported in its place", stage.file.where(()),
                              f"rename the stage (its spec file and src/stages/{name}.py), e.g. {name}_stage"))
    return diags


def _normalise(distribution: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", distribution).lower()


def installed_modules(cache=None) -> dict[str, str]:
    """Top-level module -> distribution, of what is installed where the compiler runs: every module
    and package importable from the site folders (one listing each), named after the distribution
    that lists it in its top_level.txt when it has one (reading every RECORD would take a third of
    a second, so a module without one is named by its folder)."""
    import importlib.machinery
    import sys

    suffixes = tuple(importlib.machinery.all_suffixes())
    found: dict[str, str] = {}
    owners: dict[str, str] = {}
    for folder in sorted({p for p in sys.path if p.endswith("-packages") and os.path.isdir(p)}):
        for entry in sorted(os.listdir(folder)):
            path = os.path.join(folder, entry)
            if entry.endswith(".dist-info"):
                try:
                    with open(os.path.join(path, "top_level.txt"), encoding="utf-8") as handle:
                        owners.update({m.strip(): entry.split("-")[0] for m in handle if m.strip()})
                except OSError:
                    pass
                continue
            module = entry.split(".")[0] if entry.endswith(suffixes) else entry if os.path.isdir(path) else ""
            if module.isidentifier() and module != "__pycache__":
                found.setdefault(module, os.path.basename(folder))
    return {module: owners.get(module, where) for module, where in found.items()}


def _pinned(spec: Spec) -> list[tuple[str, str]]:
    """(distribution, where it is pinned) of the project's lock files and the spec's requirements."""
    import re

    found = []
    requirement = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(==|>=|<=|~=|!=|<|>|@|;|$)")
    for entry in sorted(os.listdir(spec.project_root)) if os.path.isdir(spec.project_root) else []:
        if entry.startswith("requirements") and entry.endswith((".lock", ".txt")):
            try:
                with open(os.path.join(spec.project_root, entry), encoding="utf-8", errors="replace") as handle:
                    lines = handle.read().splitlines()
            except OSError:
                continue
            found += [(m.group(1), entry) for m in map(requirement.match, lines) if m]
    for pinned in spec.bundle.requirements + [r for stage in spec.stages.values() for r in stage.requirements]:
        match = requirement.match(pinned)
        if match:
            found.append((match.group(1), "the spec's requirements"))
    return found


def _check_assets(spec: Spec) -> list[Diagnostic]:
    """Asset folders exist, stay inside the project, and hold only regular files and folders (links
    inside the project are followed): a FIFO would hang the build, a device never end, a link out
    of the project would ship what lies there."""
    from .files import scan

    diags = []
    root = os.path.realpath(spec.project_root)
    for bundle_path, folder in spec.bundle.assets.items():
        path = os.path.join(spec.project_root, *folder.split("/"))
        where = spec.bundle.file.where(("assets", bundle_path))
        if not os.path.isdir(path):
            diags.append(diag("E511", f"asset folder {folder} (for bundle path {bundle_path}) does not exist",
                              where, f"create {folder}/, or remove the entry"))
        elif not os.path.realpath(path).startswith(root + os.sep):
            diags.append(diag("E510", f"asset folder {folder} resolves outside the project", where, "keep assets under src/"))
        else:
            for rel, why in scan(path, root).problems:
                diags.append(diag("E516", f"{folder}/{rel} (asset {bundle_path}) {why}", where,
                                  "assets hold regular files and folders of this project only: replace it with "
                                  "the file itself, or remove it"))
    return diags
