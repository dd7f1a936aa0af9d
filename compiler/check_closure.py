"""Part of pass 5 (check sources): what a stage imports from the project is held to the rules too.

A stage's notebook can import the project's own modules (the bundle's assets: `caspers`, `agents`,
`jobs`, ...). Every module of the project that a stage imports, directly or through another, is
parsed (never imported or run) and checked:

- E520: a call of the databricks-sdk that creates something uc_state cannot track (the runtime's
  `sdk_creates.py` lists them as `refused`; the runtime refuses to send them from a stage): in a stage
  or any module it imports.
- E521: a module a stage imports reaches around the tracked client (the SDK client's private parts,
  its auth headers for calls of its own, or the tracker itself). While a stage runs, every
  databricks-sdk client of its process is tracked, so a helper may build its own `WorkspaceClient`;
  what bypasses the client's `do` is not. A line may say why it is safe with a trailing
  `# uc_state: <reason>` (calls that create nothing, such as model serving invocations).
Each module is reported once, whichever stages import it.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from functools import lru_cache

from .diagnostics import Diagnostic, Where, diag
from .files import RUNTIME_DIR
from .load import display_path
from .model import Spec

PRIVATE = ("_api_client", "_session", "_BaseClient", "_uc_state_hub", "_uc_state_tracker", "_perform")
ALLOW_MARK = "# uc_state:"


@lru_cache(maxsize=1)
def refused_calls() -> frozenset[tuple[str, str]]:
    """(service, method) of every create-like SDK call the runtime refuses, read from its data file."""
    with open(os.path.join(RUNTIME_DIR, "sdk_creates.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    calls = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                 and getattr(n.targets[0], "id", "") == "CALLS")
    return frozenset((c["service"], c["method"]) for c in calls if c["fate"] == "refused")


@dataclass
class _Walk:
    spec: Spec
    seen: set[str] = field(default_factory=set)
    diags: list[Diagnostic] = field(default_factory=list)


def check_closure(spec: Spec, stage_sources: dict[str, str]) -> list[Diagnostic]:
    """`stage_sources`: stage name -> path of its source. Checks what each imports, transitively."""
    walk = _Walk(spec)
    for name in sorted(stage_sources):
        tree = _parse(stage_sources[name])
        if tree is None:
            continue
        walk.diags += _refused_calls_in(tree, display_path(stage_sources[name]), "stage code", _lines(stage_sources[name]))
        for module in _imports(tree):
            _visit(walk, module, name)
    return walk.diags


def _visit(walk: _Walk, module: str, stage: str) -> None:
    path = module_file(walk.spec, module)
    if path is None or path in walk.seen:
        return
    walk.seen.add(path)
    tree = _parse(path)
    if tree is None:
        return  # a module that does not parse fails where it is imported; not this check's concern
    shown, lines = display_path(path), _lines(path)
    what = f"{module} (imported by stage {stage})"
    walk.diags += _refused_calls_in(tree, shown, what, lines) + _bypasses(tree, shown, what, lines)
    for child in _imports(tree, module):
        _visit(walk, child, stage)


def module_file(spec: Spec, module: str) -> str | None:
    """The project file a dotted module name is, through the bundle's assets (bundle path -> folder)."""
    parts = module.split(".")
    for bundle_path, folder in sorted(spec.bundle.assets.items(), key=lambda kv: -len(kv[0])):
        prefix = bundle_path.split("/")
        if parts[:len(prefix)] != prefix:
            continue
        base = os.path.join(spec.project_root, *folder.split("/"), *parts[len(prefix):])
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate) and not os.path.islink(candidate):
                return candidate
    return None


def _parse(path: str) -> ast.Module | None:
    try:
        with open(path, "rb") as handle:
            return ast.parse(handle.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None


def _lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read().splitlines()


def _imports(tree: ast.Module, current: str = "") -> list[str]:
    """Every module an import statement names (a `from a import b` may name module a.b too)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importing module's package
                package = current.split(".")[:-node.level] if current else []
                base = ".".join(package + ([base] if base else []))
            if base:
                out.append(base)
            out += [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
    return out


def _allowed(lines: list[str], line: int) -> bool:
    return 0 < line <= len(lines) and ALLOW_MARK in lines[line - 1]


def _refused_calls_in(tree: ast.Module, shown: str, what: str, lines: list[str]) -> list[Diagnostic]:
    refused, diags = refused_calls(), []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Attribute)):
            continue
        service, method = node.func.value.attr, node.func.attr
        if (service, method) in refused and not _allowed(lines, node.lineno):
            diags.append(diag("E520", f"{what} calls {service}.{method}, which creates something uc_state cannot "
                                      "track; a stage's tracked client refuses to send it",
                              Where(shown, node.lineno, node.col_offset + 1),
                              "create it outside the stages, or add its kind to src/stage_runtime/kinds.py "
                              "(with a lookup and its evidence)"))
    return diags


def _bypasses(tree: ast.Module, shown: str, what: str, lines: list[str]) -> list[Diagnostic]:
    diags, places = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            problem = f"reaches into the SDK client's `{node.attr}`"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "authenticate":
            problem = "takes the workspace's auth headers (.authenticate()) for calls of its own"
        else:
            continue
        if not _allowed(lines, node.lineno) and (node.lineno, node.col_offset) not in places:
            places.add((node.lineno, node.col_offset))  # `_api_client._session` is one reach, reported once
            diags.append(diag("E521", f"{what} {problem}: what it sends bypasses uc_state's tracking",
                              Where(shown, node.lineno, node.col_offset + 1),
                              "call the workspace through a databricks-sdk client (tracked while a stage runs); "
                              f"if the calls create nothing, say so on the line: `{ALLOW_MARK} <why>`"))
    return diags
