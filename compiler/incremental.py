"""The no-op fast path: when nothing the last build read has changed and build/ still holds what
it wrote, a build only reads and hashes; it imports none of the heavy libraries and writes nothing.

The fingerprint covers every input of a build: the spec files (and the listing of the spec
folders, so an added or removed file counts), the stage sources the spec points at, the
compiler itself (its code, schemas, templates, the runtime it ships and its pinned requirements),
the git-ignore files between the repository root and build/ (they decide what deploys), and the
working directory (diagnostics show paths relative to it). The manifest in
build/.compiler/ records the fingerprint, the hash of every output, and the last build's warnings,
which a no-op build prints again.
"""

from __future__ import annotations

import hashlib
import os

from .files import TOOL_ROOT, digest, walk_files

TOOL_PARTS = ("compiler", "templates", os.path.join("src", "stage_runtime"))


def _tool_files() -> list[str]:
    files = [os.path.join(TOOL_ROOT, "requirements.lock")]
    for part in TOOL_PARTS:
        files += [path for path, _ in walk_files(os.path.join(TOOL_ROOT, part))]
    return files


def tool_key() -> str:
    """Hash of the compiler itself: caches made by another version are ignored."""
    hasher = hashlib.blake2b(digest_size=16)
    for path in _tool_files():
        try:
            with open(path, "rb") as handle:
                hasher.update(path.encode() + b"\0" + digest(handle.read()).encode())
        except OSError:
            pass
    return hasher.hexdigest()


def fingerprint(spec_dir: str, sources: list[str], out_dir: str | None = None) -> str:
    """Hash of everything a build reads. `sources` are the stage sources (project-relative);
    the git-ignore files that decide what uploads from `out_dir` count too (check_sync). Paths are
    hashed relative to their root (the spec folder, the project, build/, the compiler), so the same
    spec built into two folders, or from a copy of the project, records the same fingerprint."""
    spec_dir = os.path.abspath(spec_dir)
    project = os.path.dirname(spec_dir)
    hasher = hashlib.blake2b(digest_size=16)
    # diagnostics show paths relative to the working directory: where it is, seen from the spec
    hasher.update(os.path.relpath(os.getcwd(), spec_dir).encode() + b"\0")
    paths = [(spec_dir, "bundle.yaml")]
    for folder in ("stages", "targets"):
        where = os.path.join(spec_dir, folder)
        names = sorted(os.listdir(where)) if os.path.isdir(where) else []
        hasher.update(("\0".join(names) + "\1").encode())
        paths += [(spec_dir, os.path.join(folder, n)) for n in names]
    paths += [(project, os.path.join(*s.split("/"))) for s in sources]
    if out_dir is not None:
        from .sync import rule_files

        root = os.path.abspath(out_dir)
        paths += [(root, os.path.relpath(path, root)) for path in rule_files(out_dir)]
    paths += [(TOOL_ROOT, os.path.relpath(path, TOOL_ROOT)) for path in _tool_files()]
    for root, rel in paths:
        hasher.update(rel.replace(os.sep, "/").encode() + b"\0")
        try:
            with open(os.path.join(root, rel), "rb") as handle:
                hasher.update(digest(handle.read()).encode())
        except OSError:
            hasher.update(b"<missing>")
    return hasher.hexdigest()


def outputs_intact(out_dir: str, hashes: dict[str, str]) -> bool:
    for rel, expected in hashes.items():
        try:
            with open(os.path.join(out_dir, rel), "rb") as handle:
                if digest(handle.read()) != expected:
                    return False
        except OSError:
            return False
    return True


def up_to_date(spec_dir: str, out_dir: str, manifest: dict) -> bool:
    if not manifest.get("fingerprint") or not isinstance(manifest.get("hashes"), dict):
        return False
    if fingerprint(spec_dir, manifest.get("sources", []), out_dir) != manifest["fingerprint"]:
        return False
    return outputs_intact(out_dir, manifest["hashes"])
