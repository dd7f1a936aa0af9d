"""Where the compiler lives, the one content hash, and the one folder walk: shared by the render
pass (runtime and asset folders), the fingerprint (the compiler's own files, the assets, shipped
data) and the caches.

The walk (`scan`) never opens anything: it reports what is not a plain file or folder inside its
root (a FIFO would hang the reader, `/dev/zero` behind a link never ends, a link out of the project
would copy a secret into the bundle, a dangling link cannot be read) so the caller can refuse it
with a located error, and lists only entries that are safe to read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from typing import Iterator

TOOL_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the project the compiler ships with
TEMPLATE_DIR = os.path.join(TOOL_ROOT, "templates")
RUNTIME_DIR = os.path.join(TOOL_ROOT, "src", "stage_runtime")


def digest(data: bytes) -> str:
    """The content hash of the build's manifest, fingerprint and caches."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def skipped(name: str) -> bool:
    """Hidden entries, `__pycache__` and `.pyc` files are never part of a folder's content."""
    return name.startswith(".") or name == "__pycache__" or name.endswith(".pyc")


@dataclass
class Scan:
    """A folder's regular files (absolute path, slash path relative to the folder, os.stat_result),
    sorted, and what it holds that may not be read: (relative path, why)."""

    files: list[tuple[str, str, os.stat_result]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def scan(folder: str, inside: str | None = None) -> Scan:
    """Walk `folder` without opening anything. Symbolic links are followed only when they resolve
    to a file or folder inside `inside` (default: `folder` itself); a folder is entered once."""
    result = Scan()
    boundary = os.path.realpath(inside or folder)
    seen: set[str] = set()
    _scan(folder, "", boundary, seen, result)
    result.files.sort(key=lambda item: item[1])
    result.problems.sort()
    return result


def _scan(folder: str, prefix: str, boundary: str, seen: set[str], result: Scan) -> None:
    real = os.path.realpath(folder)
    if real in seen:
        return  # a link back to a folder already walked: its files are listed once
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        result.problems.append((prefix.rstrip("/") or ".", f"cannot be listed ({err.strerror})"))
        return
    for entry in entries:
        if skipped(entry.name):
            continue
        rel = prefix + entry.name
        why, info = _kind(entry.path, boundary)
        if why:
            result.problems.append((rel, why))
        elif stat.S_ISDIR(info.st_mode):
            _scan(entry.path, rel + "/", boundary, seen, result)
        else:
            result.files.append((entry.path, rel, info))


def _kind(path: str, boundary: str) -> tuple[str, os.stat_result | None]:
    """("", stat) for a regular file or a folder inside `boundary`, else (why not, None)."""
    try:
        own = os.lstat(path)
    except OSError as err:
        return f"cannot be read ({err.strerror})", None
    if stat.S_ISLNK(own.st_mode):
        target = os.path.realpath(path)
        if not os.path.exists(target):
            return f"is a dangling symbolic link (to {os.readlink(path)})", None
        if target != boundary and not target.startswith(boundary + os.sep):
            return "is a symbolic link leading out of the project", None
        info = os.stat(path)
    else:
        info = own
    if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
        return "", info
    what = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode) else "a device"
    return f"is {what}, not a regular file", None


def walk_files(folder: str) -> Iterator[tuple[str, str]]:
    """(absolute path, slash path relative to `folder`) of every safe regular file, sorted."""
    for path, rel, _ in scan(folder).files:
        yield path, rel


def read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
