"""Volume files on disk: the Files API's `/Volumes/<catalog>/<schema>/<volume>/...` paths are files
under one folder, so a task process can write them with plain `open()` (on Databricks a volume is a
FUSE mount at /Volumes; here the task gets the folder as DATABRICKS_VOLUMES_ROOT) and a client reads
them through `/api/2.0/fs/...`.

`VolumeFiles` is a mapping `/Volumes/... path -> bytes`, what the store held in memory before, so
the routes and the tests read it the same way."""

from __future__ import annotations

import os
import shutil
from collections.abc import MutableMapping
from pathlib import Path

PREFIX = "/Volumes/"


class VolumeFiles(MutableMapping):
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def disk(self, path: str) -> Path:
        """The file on disk of `/Volumes/...`; a path that leaves the root is refused."""
        if not path.startswith(PREFIX) or "\x00" in path:
            raise KeyError(path)
        parts = [p for p in path[len(PREFIX):].split("/") if p]
        if any(p in (".", "..") for p in parts):
            raise KeyError(path)
        return self.root.joinpath(*parts)

    def make_volume(self, full_name: str) -> None:
        """A created volume is an (empty) folder, as its mount is on Databricks."""
        self.disk(PREFIX + "/".join(full_name.split("."))).mkdir(parents=True, exist_ok=True)

    def remove_tree(self, folder: str) -> None:
        shutil.rmtree(self.disk(folder), ignore_errors=True)

    def listing(self, folder: str) -> list[tuple[str, bool, int]] | None:
        """(name, is_directory, size) of a folder's entries, sorted; None when there is no such folder."""
        where = self.disk(folder)
        if not where.is_dir():
            return None
        return sorted((e.name, e.is_dir(), 0 if e.is_dir() else e.stat().st_size) for e in os.scandir(where))

    # the mapping ------------------------------------------------------------------------------------
    def __getitem__(self, path: str) -> bytes:
        target = self.disk(path)
        if not target.is_file():
            raise KeyError(path)
        try:
            return target.read_bytes()
        except OSError:  # removed meanwhile (a task replacing it)
            raise KeyError(path) from None

    def __setitem__(self, path: str, data: bytes) -> None:
        target = self.disk(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def __delitem__(self, path: str) -> None:
        target = self.disk(path)
        if not target.is_file():
            raise KeyError(path)
        target.unlink()

    def __iter__(self):
        for folder, _, names in os.walk(self.root):
            for name in names:
                yield PREFIX + Path(folder, name).relative_to(self.root).as_posix()

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        """Forget every file and folder, keeping the root."""
        for entry in self.root.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
