"""What changed since the last build: nothing (a no-op build only reads and hashes), only some
stages' spec files or sources (rebuild.py re-renders those stages' notebooks), or anything else (a
full build).

The inputs are every byte a deploy ships or a check reads: the spec files (and the listing of the
spec folders, so an added or removed file counts), the stage sources, every file of the asset
folders, the shipped data in build/, the git-ignore files between the repository root and build/
(they decide what deploys), the project's lock files (E515), the compiler itself (its code,
schemas, templates, the runtime it ships, its requirements and version), the Python and the
installed distributions it runs with, and the working directory (diagnostics show paths relative
to it). Entries that may not be read (a FIFO, a link out of the project) count by what they are,
never by their content.

Each input is recorded with its content hash and its stat (size, mtime, ctime, inode); a later
build re-reads only files whose stat changed, or that changed too close to the recording for the
file system's clock to tell (git's "racily clean" rule). The outputs of build/ are checked the same
way. The manifest in build/.compiler/ records both hashes, the per-stage facts rebuild.py needs, and
the last build's warnings, which a no-op build prints again. The stats, which belong to this
machine and this copy, live in the user's cache folder (stats_path), so build/ is reproducible.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

from .files import TOOL_ROOT, digest, scan

RACY_NS = 2_000_000_000  # a change within 2 s of the recording is re-checked (FAT's clock ticks in 2 s)
TOOL_PARTS = ("compiler", "templates", os.path.join("src", "stage_runtime"))
TOOL_FILES = ("requirements.lock", "pyproject.toml")


def tool_paths() -> dict[str, str]:
    """tool/<rel> -> path of every file of the compiler itself."""
    paths = {f"tool/{name}": os.path.join(TOOL_ROOT, name) for name in TOOL_FILES}
    for part in TOOL_PARTS:
        for path, rel, _ in scan(os.path.join(TOOL_ROOT, part)).files:
            paths[f"tool/{part.replace(os.sep, '/')}/{rel}"] = path
    return paths


def environment() -> dict[str, str]:
    """The inputs that are not files: where diagnostics are shown from, the Python, the installed
    distributions (E515 reads their module names), the compiler's version."""
    from . import __version__

    return {"env/cwd": os.getcwd(), "env/python": sys.version, "env/compiler": __version__,
            "env/site": site_listing()}


def site_listing() -> str:
    """The distributions installed where the compiler runs, as the names of their metadata folders."""
    names = []
    for folder in sorted({p for p in sys.path if p.endswith("-packages") and os.path.isdir(p)}):
        try:
            names += sorted(n for n in os.listdir(folder) if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            pass
    return digest("\n".join(names).encode())


def input_paths(spec_dir: str, out_dir: str, record: dict) -> tuple[dict[str, str], dict[str, str]]:
    """(key -> path of every input file, key -> value of every input that is not a readable file).
    `record` names what the spec pointed at last time: `sources`, `assets`, `shipped_data`."""
    spec_dir = os.path.abspath(spec_dir)
    project = os.path.dirname(spec_dir)
    paths: dict[str, str] = {"spec/bundle.yaml": os.path.join(spec_dir, "bundle.yaml")}
    values = environment()
    values["env/cwd"] = os.path.relpath(os.getcwd(), spec_dir)
    for folder in ("stages", "targets"):
        where = os.path.join(spec_dir, folder)
        try:
            names = sorted(os.listdir(where))
        except OSError:
            values[f"spec/{folder}/"] = "<missing>"
            continue
        for name in names:
            paths[f"spec/{folder}/{name}"] = os.path.join(where, name)
    for source in record.get("sources", []):
        paths[f"project/{source}"] = os.path.join(project, *source.split("/"))
    for name in sorted(os.listdir(project)) if os.path.isdir(project) else []:
        if name.startswith("requirements") and name.endswith((".lock", ".txt")):
            paths[f"project/{name}"] = os.path.join(project, name)
    for folder in record.get("assets", []):
        _add_scan(os.path.join(project, *folder.split("/")), project, f"project/{folder}/", paths, values)
    out_dir = os.path.abspath(out_dir)
    for folder in record.get("shipped_data", []):
        _add_scan(os.path.join(out_dir, *folder.split("/")), out_dir, f"out/{folder}/", paths, values)
    from .sync import rule_files

    for path in rule_files(out_dir):
        paths["rules/" + os.path.relpath(path, out_dir).replace(os.sep, "/")] = path
    paths.update(tool_paths())
    return paths, values


def _add_scan(folder: str, inside: str, prefix: str, paths: dict, values: dict) -> None:
    if not os.path.isdir(folder):
        values[prefix] = "<missing>"
        return
    found = scan(folder, inside)
    for path, rel, _ in found.files:
        paths[prefix + rel] = path
    for rel, why in found.problems:
        values[prefix + rel] = f"<{why}>"


def hash_inputs(paths: dict[str, str], values: dict[str, str], known: dict[str, list], recorded_at: int) \
        -> dict[str, list]:
    """key -> [content hash, size, mtime, ctime, inode] (or [value] for what is not a file).
    A file whose stat is what `known` holds, old enough not to be racy, is not re-read."""
    current: dict[str, list] = {key: [value] for key, value in values.items()}
    for key, path in paths.items():
        current[key] = file_state(path, known.get(key), recorded_at)
    return current


def file_state(path: str, known: list | None, recorded_at: int) -> list:
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return ["<missing>"]
    if not stat.S_ISREG(info.st_mode):
        return ["<directory>" if stat.S_ISDIR(info.st_mode) else "<not a regular file>"]
    state = [None, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    if known and len(known) == 5 and known[1:] == state[1:] and max(info.st_mtime_ns, info.st_ctime_ns) < \
            recorded_at - RACY_NS:
        state[0] = known[0]
        return state
    try:
        with open(path, "rb") as handle:
            state[0] = digest(handle.read())
    except OSError:
        return ["<unreadable>"]
    return state


def digests(states: dict[str, list]) -> dict[str, str]:
    """What the manifest records of each input: its content hash (or what it is)."""
    return {key: state[0] for key, state in sorted(states.items())}


def changed_keys(current: dict[str, list], previous: dict[str, str]) -> set[str]:
    keys = set(current) | set(previous)
    return {k for k in keys if (current[k][0] if k in current else None) != previous.get(k)}


def _known(hashes: dict[str, str], stats: dict) -> dict[str, list]:
    """Content hashes from the manifest joined with the stats of the cache beside it."""
    known = {}
    for key, value in stats.items():
        if key in hashes and isinstance(value, list) and len(value) == 4:
            known[key] = [hashes[key], *value]
    return known


def outputs_intact(out_dir: str, hashes: dict[str, str], stats: dict, recorded_at: int) -> dict[str, list] | None:
    """Each output's state when every one still holds what was written, else None."""
    known = _known(hashes, stats)
    states = {}
    for rel, expected in hashes.items():
        state = file_state(os.path.join(out_dir, rel), known.get(rel), recorded_at)
        if state[0] != expected:
            return None
        states[rel] = state
    return states


def now_ns() -> int:
    return time.time_ns()


@dataclass
class Plan:
    """What a build has to do: "noop", "stages" (rebuild.py) or "full"; the changed input keys;
    the inputs as hashed now, from `hashed_at` on (a lower bound of every read, for the racy rule)."""

    kind: str
    changed: set = field(default_factory=set)
    current: dict = field(default_factory=dict)
    hashed_at: int = 0
    outputs: dict = field(default_factory=dict)  # rel -> state, when they were intact


def plan(spec_dir: str, out_dir: str, manifest: dict) -> Plan:
    hashed_at = now_ns()
    previous = manifest.get("inputs")
    if not isinstance(previous, dict) or not isinstance(manifest.get("hashes"), dict):
        return Plan("full", hashed_at=hashed_at)
    stats = read_stats(out_dir)
    paths, values = input_paths(spec_dir, out_dir, manifest)
    current = hash_inputs(paths, values, _known(previous, stats.get("inputs", {})), stats.get("recorded_at", 0))
    changed = changed_keys(current, previous)
    outputs = outputs_intact(out_dir, manifest["hashes"], stats.get("outputs", {}), stats.get("recorded_at", 0))
    if outputs is None:
        return Plan("full", changed, current, hashed_at)
    if not changed:
        return Plan("noop", changed, current, hashed_at, outputs)
    stage_keys = {record[part] for record in manifest.get("stages", {}).values() for part in ("spec", "source")}
    edited = changed <= stage_keys and all(k in previous and len(current.get(k, ())) == 5 for k in changed)
    return Plan("stages" if edited else "full", changed, current, hashed_at, outputs)


LEGACY_STATS = os.path.join(".compiler", "stats.json")  # where builds before 2026-12 kept it


def stats_path(out_dir: str) -> str:
    """Where the stat cache of `out_dir` lives: outside it, in the user's cache folder, keyed by the
    folder's real path. Sizes, times and inodes belong to this machine and this copy, so keeping
    them out of build/ leaves two builds of the same project byte-identical, .compiler/ included."""
    import hashlib

    root = os.environ.get("BUNDLEC_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "bundlec")
    key = hashlib.sha256(os.path.realpath(out_dir).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(root, "stats", key + ".json")


KEEP_STATS = 64  # build folders remembered; the least recently built beyond that are forgotten


def _prune(folder: str) -> None:
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".json")]
        if len(entries) <= KEEP_STATS:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for entry in entries[: len(entries) - KEEP_STATS]:
            os.unlink(entry.path)
    except OSError:
        pass


def _manifest_digest(out_dir: str) -> str | None:
    from .write import MANIFEST

    try:
        with open(os.path.join(out_dir, MANIFEST), "rb") as handle:
            return digest(handle.read())
    except OSError:
        return None


def read_stats(out_dir: str) -> dict:
    """The stat cache of out_dir ({} when missing, damaged, or recorded beside another manifest:
    then everything is re-read)."""
    import json

    try:
        with open(stats_path(out_dir), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not (isinstance(data, dict) and isinstance(data.get("recorded_at"), int)
            and isinstance(data.get("inputs"), dict) and isinstance(data.get("outputs"), dict)):
        return {}
    if data.get("manifest") != _manifest_digest(out_dir):
        return {}  # build/ was replaced, restored or written by another build since: a cold start
    return data


def forget_stats(out_dir: str) -> None:
    for path in (stats_path(out_dir), os.path.join(out_dir, LEGACY_STATS)):
        try:
            os.unlink(path)
        except OSError:
            pass


def save_stats(out_dir: str, inputs: dict[str, list], hashed_at: int, outputs, known: dict | None = None) -> None:
    """The inputs' stats as hashed from `hashed_at` on, and the outputs' as written (stat'ed now,
    after the write, so their racy window starts at `hashed_at`, earlier). `known`: states of
    outputs this build did not write, taken from `hashed_at` on."""
    import json

    data = {"recorded_at": hashed_at, "inputs": {k: v[1:] for k, v in inputs.items() if len(v) == 5},
            "outputs": {}}
    for rel in outputs:
        if known and len(known.get(rel, ())) == 5:
            data["outputs"][rel] = known[rel][1:]
            continue
        try:
            info = os.stat(os.path.join(out_dir, rel))
        except OSError:
            continue
        data["outputs"][rel] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    data["manifest"] = _manifest_digest(out_dir)
    path = stats_path(out_dir)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        known_folder = os.path.exists(path)
        with open(f"{path}.{os.getpid()}.tmp", "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data))  # json.dump would take the pure-Python encoder
        os.replace(f"{path}.{os.getpid()}.tmp", path)
        if not known_folder:
            _prune(os.path.dirname(path))
    except OSError:
        pass  # a cache folder that cannot be written only costs time
    try:
        os.unlink(os.path.join(out_dir, LEGACY_STATS))
    except OSError:
        pass
