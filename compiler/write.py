"""Pass 9, write: put the rendered bundle into build/, atomically and incrementally.

- Only files whose bytes changed are written; a no-op build writes nothing at all.
- The change is a small transaction: new contents are staged under build/.compiler/txn/, every
  file about to be replaced or removed is first hard-linked (or copied) aside, then each is swapped
  in with an atomic rename. If anything fails midway, the saved files are put back, so the previous
  build/ is left byte-identical. A transaction interrupted by a killed process is rolled back by
  the next build before it starts.
- The compiler owns exactly the files listed in build/.compiler/manifest.json. It never touches
  build/.databricks/ (the CLI's deployment state) or anything outside build/.
- It refuses, before writing anything, an output folder that is a filesystem root, that overlaps
  the project, or that holds files it does not own (no manifest of its own, and something other
  than hidden entries and the spec's shipped data). A failed write removes the folders it created.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from typing import Callable

from .diagnostics import Diagnostic, Where, diag

STATE_DIR = ".compiler"
MANIFEST = f"{STATE_DIR}/manifest.json"
PROTECTED = (".databricks", STATE_DIR, ".local")


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


class WriteAborted(Exception):
    pass


def check_relative(rel: str) -> str | None:
    """Why `rel` is not an acceptable output path, or None."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        return f"output path {rel!r} is not a plain relative path"
    if parts[0] in PROTECTED:
        return f"output path {rel!r} is inside a folder the compiler must not touch"
    return None


def check_out_dir(spec_dir: str, out_dir: str) -> Diagnostic | None:
    """Before anything else: the output folder may not be a filesystem root, nor be or contain
    the spec or the project sources."""
    out_real = os.path.realpath(out_dir)
    spec_real = os.path.realpath(spec_dir)
    project = os.path.dirname(spec_real)
    if os.path.dirname(out_real) == out_real:
        return diag("E901", f"output folder {out_dir} is a filesystem root", Where(out_dir),
                    "build into a folder of its own, e.g. --out build")
    if out_real in (spec_real, project) or spec_real.startswith(out_real + os.sep) or \
            out_real.startswith(spec_real + os.sep) or out_real == os.path.join(project, "src"):
        return diag("E901", f"output folder {out_dir} overlaps the spec or the project itself", Where(out_dir),
                    "build into a folder of its own, e.g. --out build")
    return None


def check_ownership(out_dir: str, manifest: dict, tolerated: list[str]) -> Diagnostic | None:
    """A folder without our manifest must be empty but for hidden entries (.databricks/, .local/)
    and files under `tolerated` bundle paths (shipped data a command wrote before the first build)."""
    if manifest or not os.path.isdir(out_dir):
        return None
    foreign = []
    for entry in sorted(os.listdir(out_dir)):
        if entry.startswith("."):
            continue
        path = os.path.join(out_dir, entry)
        if os.path.isdir(path) and not os.path.islink(path) and _only_under(path, entry, tolerated):
            continue
        foreign.append(entry)
    if not foreign:
        return None
    shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
    return diag("E901", f"output folder {out_dir} holds files the compiler did not write ({shown})", Where(out_dir),
                "build into an empty folder or one an earlier build wrote (it has .compiler/manifest.json); "
                "nothing was written")


def _only_under(path: str, rel: str, tolerated: list[str]) -> bool:
    """Every file below `path` (bundle path `rel`) lies under one of the tolerated bundle paths."""
    for folder, dirs, names in os.walk(path):
        rel_folder = os.path.relpath(folder, os.path.dirname(path)).replace(os.sep, "/")
        for name in names:
            file_rel = f"{rel_folder}/{name}"
            if not any(file_rel.startswith(t.rstrip("/") + "/") for t in tolerated):
                return False
    return True


class DamagedState(Exception):
    """A state file of build/.compiler/ that exists but cannot be what the compiler wrote."""


def _is_list_of(value, kind) -> bool:
    return isinstance(value, list) and all(isinstance(item, kind) for item in value)


_DIAGNOSTIC_FIELDS = {"severity": str, "code": str, "message": str, "file": str, "line": int, "col": int, "hint": str,
                      "related": list}


def manifest_problem(data) -> str | None:
    """Why `data` is not a manifest this compiler wrote, or None."""
    if not isinstance(data, dict):
        return "it is not a JSON object"
    if not _is_list_of(data.get("files"), str) or any(check_relative(rel) for rel in data["files"]):
        return "its `files` is not a list of relative paths"
    for key in ("sources", "assets", "shipped_data"):
        if key in data and not _is_list_of(data[key], str):
            return f"its `{key}` is not a list of strings"
    for key in ("hashes", "inputs", "stages"):
        if key in data and not isinstance(data[key], dict):
            return f"its `{key}` is not an object"
    if not all(isinstance(v, str) for v in data.get("hashes", {}).values()):
        return "its `hashes` are not all strings"
    if not all(isinstance(v, str) for v in data.get("inputs", {}).values()):
        return "its `inputs` are not all strings"
    if not all(isinstance(v, dict) and isinstance(v.get("spec"), str) and isinstance(v.get("source"), str)
               for v in data.get("stages", {}).values()):
        return "its `stages` are not all records"
    for item in data.get("diagnostics", []) if isinstance(data.get("diagnostics", []), list) else [None]:
        if not (isinstance(item, dict) and set(item) == set(_DIAGNOSTIC_FIELDS)
                and all(isinstance(item[k], t) for k, t in _DIAGNOSTIC_FIELDS.items())
                and all(_is_list_of(r, (str, int)) and len(r) == 3 for r in item["related"])):
            return "its `diagnostics` are not all diagnostics"
    return None


def read_manifest_checked(out_dir: str) -> tuple[dict, Diagnostic | None]:
    """The manifest ({} when there is none), or a located E902 when it exists but is damaged."""
    path = os.path.join(out_dir, MANIFEST)
    if not os.path.lexists(path):
        return {}, None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        problem = manifest_problem(data)
    except (OSError, ValueError) as err:
        problem = f"it cannot be read as JSON ({type(err).__name__})"
    if problem is None:
        return data, None
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    return {}, diag("E902", f"the build's manifest is damaged: {problem}", Where(shown),
                    f"the compiler no longer knows which files of {out_dir}/ it wrote: delete them (keep "
                    f".databricks/, the CLI's state) or build into another folder with --out")


def read_manifest(out_dir: str) -> dict:
    path = os.path.join(out_dir, MANIFEST)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_bundle(out_dir: str, files: dict[str, bytes], manifest_extra: dict | None = None,
                 fault: Callable[[str, str], None] | None = None) -> tuple[WriteResult, list[Diagnostic]]:
    """Make `out_dir` hold exactly `files` (plus untouched foreign files). `fault(step, path)` is
    a test hook called before each filesystem step; it may raise to simulate a crash."""
    out_dir = os.path.abspath(out_dir)
    where = Where(os.path.relpath(out_dir) if not os.path.relpath(out_dir).startswith("..") else out_dir)
    for rel in files:
        problem = check_relative(rel)
        if problem:
            return WriteResult(), [diag("E901", problem, where, "this is a compiler bug; please report it")]
    created = _missing_dirs(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    recover(out_dir)
    previous = read_manifest(out_dir)
    owned_before = set(previous.get("files", []))
    result = WriteResult()
    changes: dict[str, bytes | None] = {}
    for rel in sorted(files):
        if _same_bytes(os.path.join(out_dir, rel), files[rel]):
            result.unchanged += 1
        else:
            changes[rel] = files[rel]
    for rel in sorted(owned_before - set(files)):
        if check_relative(rel) is None and os.path.lexists(os.path.join(out_dir, rel)):
            changes[rel] = None
    manifest = {"files": sorted(files), **(manifest_extra or {})}
    manifest_bytes = manifest_text(manifest)
    if not changes and _same_bytes(os.path.join(out_dir, MANIFEST), manifest_bytes):
        return result, []
    changes[MANIFEST] = manifest_bytes
    try:
        _apply(out_dir, changes, fault)
    except (OSError, WriteAborted) as err:
        _remove_empty(created)
        return WriteResult(), [diag("E900", f"writing {where.file} failed, previous build restored: {err}", where,
                                    "check permissions and free space, then build again")]
    result.written = sorted(r for r, data in changes.items() if data is not None and r != MANIFEST)
    result.removed = sorted(r for r, data in changes.items() if data is None)
    return result, []


def manifest_text(manifest: dict) -> bytes:
    """One line per top-level key, sorted: deterministic (the values are built in sorted order),
    and encoded by json's C encoder (an indented dump takes its pure-Python one, and sorting every
    key again, several times longer for 1,000 stages)."""
    lines = [f"{json.dumps(key)}: {json.dumps(manifest[key])}" for key in sorted(manifest)]
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode()


def write_partial(out_dir: str, files: dict[str, bytes], manifest: dict,
                  fault: Callable[[str, str], None] | None = None) -> tuple[WriteResult, list[Diagnostic]]:
    """Replace only `files` (all already owned) and the manifest, in one transaction: the
    one-stage rebuild, which knows every other output is unchanged."""
    out_dir = os.path.abspath(out_dir)
    where = Where(os.path.relpath(out_dir) if not os.path.relpath(out_dir).startswith("..") else out_dir)
    recover(out_dir)
    changes: dict[str, bytes | None] = {rel: data for rel, data in sorted(files.items())
                                        if not _same_bytes(os.path.join(out_dir, rel), data)}
    changes[MANIFEST] = manifest_text(manifest)
    try:
        _apply(out_dir, changes, fault)
    except (OSError, WriteAborted) as err:
        return WriteResult(), [diag("E900", f"writing {where.file} failed, previous build restored: {err}", where,
                                    "check permissions and free space, then build again")]
    written = sorted(r for r in changes if r != MANIFEST)
    return WriteResult(written=written, unchanged=len(manifest.get("files", [])) - len(written)), []


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.path.islink(path) or os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _missing_dirs(path: str) -> list[str]:
    """`path` and its ancestors that do not exist yet, deepest first."""
    missing = []
    path = os.path.abspath(path)
    while not os.path.exists(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return missing


def _remove_empty(folders: list[str]) -> None:
    """Remove the folders a failed write created, deepest first, if nothing else lives there."""
    for folder in sorted(set(folders), key=lambda f: -f.count(os.sep)):
        try:
            os.rmdir(folder)
        except OSError:
            pass


def _txn_dir(out_dir: str) -> str:
    return os.path.join(out_dir, STATE_DIR, "txn")


def _apply(out_dir: str, changes: dict[str, bytes | None], fault) -> None:
    """Stage new contents, save the old ones aside, write the journal once, then swap file by file.
    Until the journal exists nothing in out_dir has changed; after it, `_rollback` can undo.
    Staged and saved files lie flat in the transaction folder (`n<i>`, `o<i>` for the i-th change):
    one folder to make and remove, whatever the paths (folders are slow to create and remove on
    some file systems, and a one-notebook rebuild is mostly this)."""
    fault = fault or (lambda step, path: None)
    txn = _txn_dir(out_dir)
    shutil.rmtree(txn, ignore_errors=True)
    state_created = _missing_dirs(os.path.join(out_dir, STATE_DIR))
    os.makedirs(txn)
    parents = _Parents(out_dir)
    journal = []
    slots = {rel: i for i, rel in enumerate(changes)}
    try:
        for rel, data in changes.items():
            if data is not None:
                fault("stage", rel)
                with open(os.path.join(txn, f"n{slots[rel]}"), "wb") as handle:
                    handle.write(data)
        for rel in changes:
            target = os.path.join(out_dir, rel)
            existed = os.path.lexists(target)
            if existed:
                fault("save", rel)
                _link_or_copy(target, os.path.join(txn, f"o{slots[rel]}"))
            journal.append({"path": rel, "existed": existed, "slot": slots[rel]})
        _write_journal(os.path.join(txn, "journal.json"), journal)
        for rel, data in changes.items():
            target = os.path.join(out_dir, rel)
            parents.ensure(target, out_dir)
            fault("swap", rel)
            if data is None:
                os.unlink(target)
            else:
                os.replace(os.path.join(txn, f"n{slots[rel]}"), target)
    except BaseException:
        _rollback(out_dir, journal)
        shutil.rmtree(txn, ignore_errors=True)
        _remove_empty(parents.created + state_created)
        raise
    shutil.rmtree(txn, ignore_errors=True)
    _prune_empty_dirs(out_dir, [rel for rel, data in changes.items() if data is None])


class _Parents:
    """Creates parent folders once each, refusing any that resolve outside their root, and
    remembers the ones it created under `out_dir` (a failed write removes them again)."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.done: set[str] = set()
        self.created: list[str] = []

    def ensure(self, path: str, root: str) -> None:
        parent = os.path.dirname(path)
        if parent not in self.done:
            if root == self.out_dir:
                self.created += _missing_dirs(parent)
            _ensure_parent(path, root)
            self.done.add(parent)


def _write_journal(path: str, journal: list[dict]) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(journal, handle)
    os.replace(tmp, path)


def _rollback(out_dir: str, journal: list[dict]) -> None:
    """Put every saved file back and remove every file that did not exist before. Entries whose
    swap never happened are harmless: the saved copy is the same file, the new one is absent."""
    txn = _txn_dir(out_dir)
    for entry in reversed(journal):
        target = os.path.join(out_dir, entry["path"])
        saved = os.path.join(txn, f"o{entry['slot']}") if "slot" in entry else \
            os.path.join(txn, "old", entry["path"])  # a journal of an earlier version
        if entry["existed"]:
            if os.path.lexists(saved):
                os.replace(saved, target)
        elif os.path.lexists(target):
            os.unlink(target)


def recover(out_dir: str) -> bool:
    """Roll back a transaction left behind by a killed build. Returns True if there was one."""
    txn = _txn_dir(out_dir)
    if not os.path.isdir(txn):
        return False
    path = os.path.join(txn, "journal.json")
    try:
        with open(path, encoding="utf-8") as handle:
            journal = json.load(handle)
    except FileNotFoundError:
        journal = []  # killed before the journal was written: nothing in out_dir had changed yet
    except (OSError, ValueError) as err:
        raise DamagedState(f"{STATE_DIR}/txn/journal.json cannot be read ({type(err).__name__})") from None
    if not isinstance(journal, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("existed"), bool)
            and isinstance(e.get("slot", 0), int) and not isinstance(e.get("slot", 0), bool)
            and (check_relative(e["path"]) is None or e["path"] == MANIFEST) for e in journal):
        raise DamagedState(f"{STATE_DIR}/txn/journal.json is not a journal this compiler wrote")
    _rollback(out_dir, journal)
    shutil.rmtree(txn, ignore_errors=True)
    return True


def _ensure_parent(path: str, root: str) -> None:
    parent = os.path.dirname(path)
    real_root = os.path.realpath(root)
    os.makedirs(parent, exist_ok=True)
    real_parent = os.path.realpath(parent)
    if real_parent != real_root and not real_parent.startswith(real_root + os.sep):
        raise WriteAborted(f"{parent} leads outside {root} (a symlink?)")


def _link_or_copy(source: str, dest: str) -> None:
    try:
        os.link(source, dest, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, dest, follow_symlinks=False)


def _prune_empty_dirs(out_dir: str, removed: list[str]) -> None:
    for rel in removed:
        parent = os.path.dirname(os.path.join(out_dir, rel))
        while parent != out_dir and parent.startswith(out_dir):
            try:
                os.rmdir(parent)
            except OSError:
                break
            parent = os.path.dirname(parent)


def clean(out_dir: str) -> list[str]:
    """Remove what the compiler owns in out_dir; keep .databricks/ and anything foreign."""
    out_dir = os.path.abspath(out_dir)
    if not os.path.isdir(out_dir):
        return []
    recover(out_dir)
    owned = read_manifest(out_dir).get("files", [])
    removed = []
    for rel in owned:
        if check_relative(rel) is None:
            path = os.path.join(out_dir, rel)
            if os.path.lexists(path):
                os.unlink(path)
                removed.append(rel)
    _prune_empty_dirs(out_dir, removed)
    from .incremental import forget_stats

    forget_stats(out_dir)
    for own in (MANIFEST, f"{STATE_DIR}/cache.pickle", f"{STATE_DIR}/notebooks.pickle"):
        if os.path.exists(os.path.join(out_dir, own)):
            os.unlink(os.path.join(out_dir, own))
    try:
        os.rmdir(os.path.join(out_dir, STATE_DIR))
    except OSError:
        pass
    return removed
