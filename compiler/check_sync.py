"""Pass, check sync: every file the bundle needs at run time is a file `bundle deploy` uploads.

The build lives inside the project's git repository, where `build/` is usually git-ignored, and
the Databricks CLI skips git-ignored files unless `sync.include` names them (see sync.py for the
rules). A notebook that was never uploaded fails only on the workspace, so this pass proves it
at build time, for every path the deployed bundle uses:

- the notebook of every task of every target, and the cleanup job's notebook;
- the runtime package every notebook imports (`src/stage_runtime/`);
- every Python file of every asset folder (the stages import them; the jobs, pipelines and apps
  they create run them); other files of an asset folder (notes, scratch queries) may be excluded
  on purpose, and are checked when a stage names them (below);
- the shipped data: each file `shipped_data` declares (`files`: names, or patterns standing for
  the files the command writes), and every file the command already wrote into build/;
- every `ctx.bundle_path(...)` of a stage's code: job notebooks, pipeline sources, app folders,
  shipped data. A path is a file, a notebook named without its `.py`, or a folder (every file of
  it must upload); folders listed under `shipped_data` are written by a command rather than the
  compiler, so a file there is checked by its path alone.

`runtime_files` is that set as files, which `make verify` also expects on the workspace.

E512: the path is in the bundle but would not be uploaded. E513: the path is not in the bundle.
W514: a `ctx.bundle_path(...)` whose first argument is computed, which cannot be checked.
E517: a `sync` pattern of the spec is not a valid gitignore pattern.
"""

from __future__ import annotations

import os

from .diagnostics import Diagnostic, Where, did_you_mean, diag
from .load import display_path
from .model import Spec
from .resolve import Resolved
from .sync import SyncRules, clean

RUNTIME_FOLDER = "src/stage_runtime"


def check_sync(spec: Spec, resolved: Resolved, files: dict[str, bytes], facts: dict, bundle_root: str) -> list[Diagnostic]:
    from .render import bundle_sync

    diags = _check_patterns(spec)
    if diags:
        return diags
    checker = _Checker(spec, set(files), SyncRules.for_bundle(bundle_root, bundle_sync(spec)))
    members = {name for target in resolved.targets.values() for name in target.members}
    cleanup_where = spec.bundle.file.where(("cleanup",)) if "cleanup" in spec.bundle.file.data else \
        spec.bundle.file.where()
    if members:
        checker.require("cleanup.py", "the cleanup job's notebook", cleanup_where)
        checker.require(RUNTIME_FOLDER, "the runtime every notebook imports", cleanup_where)
    from .check_sources import source_path

    for name in sorted(members):
        stage_facts = facts.get(name)
        if stage_facts is None:
            continue
        shown = display_path(source_path(spec, spec.stages[name]))
        for parts, complete, line, col in stage_facts.bundle_paths:
            where = Where(shown, line, col)
            if not parts:
                checker.diags.append(diag(
                    "W514", f"stage {name} calls ctx.bundle_path with a computed first argument, which cannot be "
                            "checked against what deploys", where,
                    "start with literal path parts, e.g. ctx.bundle_path(\"jobs\", name)"))
                continue
            checker.require(clean("/".join(parts)), f"a path stage {name} uses (ctx.bundle_path)", where,
                            prefix_only=not complete)
    # Then every file of the assets and the shipped data (a file reported above is not reported twice).
    for bundle_path, folder in spec.bundle.assets.items():
        for rel in sorted(r for r in files if r.startswith(bundle_path + "/") and r.endswith(".py")):
            checker.require(rel, f"a Python file of asset {bundle_path} ({folder})",
                            spec.bundle.file.where(("assets", bundle_path)))
    for folder, probes in sorted(shipped_data_files(spec, bundle_root).items()):
        where = spec.bundle.file.where(("shipped_data", folder))
        for rel in probes:
            checker.require(rel, f"shipped data of {folder}", where)
    for name in sorted(members):
        stage = spec.stages[name]
        checker.require(f"stages/{name}.py", f"the notebook of task {stage.task_key}", stage.file.where(("task_key",)))
    return checker.diags


def _check_patterns(spec: Spec) -> list[Diagnostic]:
    from .sync import pattern_problem

    diags = []
    for key in ("include", "exclude"):
        for i, pattern in enumerate(spec.bundle.sync.get(key, [])):
            problem = pattern_problem(clean(pattern)) if isinstance(pattern, str) else "not a string"
            if problem:
                diags.append(diag("E517", f"sync.{key} pattern {pattern!r} is not a gitignore pattern: {problem}",
                                  spec.bundle.file.where(("sync", key, i)),
                                  "write it as a .gitignore line (a trailing `\\` escapes nothing; `!` needs a pattern)"))
    return diags


def shipped_data_files(spec: Spec, bundle_root: str) -> dict[str, list[str]]:
    """Shipped data folder -> the bundle paths of its files the stages read: those present in the
    bundle root (the command ran), and one stand-in per declared name or pattern (it has not yet)."""
    from .files import scan

    found: dict[str, list[str]] = {}
    for folder in spec.bundle.shipped_data:
        path = os.path.join(bundle_root, *folder.split("/"))
        present = [f"{folder}/{rel}" for _, rel, _ in scan(path, bundle_root).files] if os.path.isdir(path) else []
        declared = [f"{folder}/{_stand_in(pattern)}" for pattern in spec.bundle.shipped_files.get(folder, [])]
        found[folder] = list(dict.fromkeys(present + declared))
    return found


def _stand_in(pattern: str) -> str:
    """A file name a pattern stands for: `*.parquet` -> `x.parquet`, `menus/**/*.pdf` -> `menus/x.pdf`."""
    text = clean(pattern.replace("**/", "").replace("/**", "/x"))
    return "".join("x" if ch in "*?" else ch for ch in text).replace("[", "").replace("]", "")


def runtime_files(spec: Spec, resolved: Resolved, files, bundle_root: str) -> dict[str, str]:
    """Bundle path -> what it is, of every file a deployed bundle needs at run time (as files:
    notebooks, the runtime, the assets' Python files, the shipped data present in the bundle root)."""
    from .files import scan

    members = {name for target in resolved.targets.values() for name in target.members}
    needed = {f"stages/{name}.py": f"the notebook of stage {name}" for name in sorted(members)}
    if members:
        needed["cleanup.py"] = "the cleanup job's notebook"
        needed.update({rel: "the runtime every notebook imports" for rel in files if rel.startswith(RUNTIME_FOLDER + "/")})
    for bundle_path in spec.bundle.assets:
        needed.update({rel: f"a Python file of asset {bundle_path}" for rel in files
                       if rel.startswith(bundle_path + "/") and rel.endswith(".py")})
    for folder in spec.bundle.shipped_data:
        path = os.path.join(bundle_root, *folder.split("/"))
        if os.path.isdir(path):
            needed.update({f"{folder}/{rel}": f"shipped data of {folder}" for _, rel, _ in scan(path, bundle_root).files})
    return dict(sorted(needed.items()))


class _Checker:
    def __init__(self, spec: Spec, files: set[str], rules: SyncRules):
        self.spec, self.files, self.rules = spec, files, rules
        self.folders = {rel.rsplit("/", 1)[0] for rel in files if "/" in rel}
        self.folders |= {"/".join(rel.split("/")[:i]) for rel in self.folders for i in range(1, rel.count("/") + 1)}
        self.diags: list[Diagnostic] = []
        self.reported: set[str] = set()

    def require(self, path: str, what: str, where: Where, prefix_only: bool = False) -> None:
        members = self._resolve(path, prefix_only)
        if members is None:
            self.diags.append(diag("E513", f"{what}, `{path}`, is not in the bundle", where, self._missing_hint(path)))
            return
        for rel in members:
            reason = None if rel in self.reported else self.rules.why_not(rel)
            if reason:
                self.reported.add(rel)
                extra = f" (and {len(members) - 1} more file(s) of {path}/)" if len(members) > 1 else ""
                self.diags.append(diag(
                    "E512", f"{what}, `{rel}`, would not be uploaded by `bundle deploy`: {reason}{extra}",
                    self._where_for(reason, where), self._upload_hint(rel, reason)))
                return

    def _resolve(self, path: str, prefix_only: bool) -> list[str] | None:
        """The bundle files `path` stands for, or None when it is not in the bundle."""
        shipped = next((folder for folder in self.spec.bundle.shipped_data
                        if path == folder or path.startswith(folder + "/")), None)
        if shipped is not None:  # written by a command, maybe not yet: check a file of it by path
            return [path + "/-" if path == shipped or prefix_only else path]
        if not prefix_only:
            for candidate in (path, path + ".py"):
                if candidate in self.files:
                    return [candidate]
        if path in self.folders:
            return sorted(rel for rel in self.files if rel.startswith(path + "/"))
        return None

    def _missing_hint(self, path: str) -> str:
        known = sorted(self.folders | self.files | {rel[:-3] for rel in self.files if rel.endswith(".py")})
        close = did_you_mean(path, known)
        return (close + " " if close else "") + (
            "ship the folder with `assets` in spec/bundle.yaml, or list data a command writes under `shipped_data`")

    def _where_for(self, reason: str, where: Where) -> Where:
        """An exclude pattern is the spec's doing: point at it. Otherwise at the reference."""
        excludes = self.spec.bundle.sync.get("exclude", [])
        for i, pattern in enumerate(excludes):
            if f"sync.exclude `{clean(pattern)}`" in reason:
                return self.spec.bundle.file.where(("sync", "exclude", i))
        return where

    @staticmethod
    def _upload_hint(rel: str, reason: str) -> str:
        if "sync.exclude" in reason:
            return "narrow or remove that `sync.exclude` pattern in spec/bundle.yaml"
        folder = os.path.dirname(rel)
        pattern = f"{folder}/**" if folder else rel
        return f"add `{pattern}` to `sync.include` in spec/bundle.yaml"
