"""A cache of per-file work, so a rebuild after editing one stage re-reads only that stage.

Keyed by each file's path, display path and content hash, and thrown away whole whenever the
compiler itself changes: parsed spec files that loaded and validated cleanly, and the `ast` facts
of stage sources. Stored in build/.compiler/cache.pickle; losing it only costs time. A file with
problems is never cached, so its diagnostics are always recomputed.
"""

from __future__ import annotations

import hashlib
import os
import pickle

CACHE_FILE = os.path.join(".compiler", "cache.pickle")


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class BuildCache:
    def __init__(self, out_dir: str | None, tool_key: str):
        self.path = os.path.join(out_dir, CACHE_FILE) if out_dir else None
        self.tool_key = tool_key
        self.entries: dict = {}
        self.used: set = set()
        self.dirty = False
        if self.path and os.path.exists(self.path):
            try:
                with open(self.path, "rb") as handle:
                    stored = pickle.load(handle)
                if stored.get("tool") == tool_key:
                    self.entries = stored["entries"]
            except Exception:  # noqa: BLE001 - a damaged cache is just a cold cache
                self.entries = {}

    def get(self, key: tuple):
        blob = self.entries.get(key)
        if blob is None:
            return None
        self.used.add(key)
        return pickle.loads(blob)

    def put(self, key: tuple, value) -> None:
        # Each entry is pickled on its own: small pickle memos (a single pickle of 10,000 parsed
        # files needs a memo of every object in them) and entries unpickled only when used.
        self.entries[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Keep only what this build used, written atomically."""
        if not self.path or not (self.dirty or len(self.used) != len(self.entries)):
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as handle:
            pickle.dump({"tool": self.tool_key, "entries": {k: self.entries[k] for k in self.used}}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)


class NoCache(BuildCache):
    def __init__(self) -> None:
        super().__init__(None, "")

    def get(self, key: tuple):
        return None

    def put(self, key: tuple, value) -> None:
        pass
