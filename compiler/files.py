"""Where the compiler lives, the one content hash, and the one folder walk: shared by the render
pass (runtime and asset folders), the no-op fast path (the compiler's own files) and the caches."""

from __future__ import annotations

import hashlib
import os
from typing import Iterator

TOOL_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the project the compiler ships with
TEMPLATE_DIR = os.path.join(TOOL_ROOT, "templates")
RUNTIME_DIR = os.path.join(TOOL_ROOT, "src", "stage_runtime")


def digest(data: bytes) -> str:
    """The content hash of the build's manifest, fingerprint and caches."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def walk_files(folder: str) -> Iterator[tuple[str, str]]:
    """(absolute path, slash path relative to `folder`) of every file, sorted, skipping hidden
    entries, `__pycache__` and `.pyc` files."""
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            path = os.path.join(current, name)
            yield path, os.path.relpath(path, folder).replace(os.sep, "/")


def read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
