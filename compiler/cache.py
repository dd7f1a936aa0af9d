"""A cache of per-file work, so a rebuild after editing one stage re-reads only that stage.

Keyed by each file's path, display path and content hash, and thrown away whole whenever the
compiler itself changes: parsed spec files that loaded and validated cleanly, and the `ast` facts
of stage sources. Stored in build/.compiler/cache.pickle; losing it only costs time. A file with
problems is never cached, so its diagnostics are always recomputed.
"""

from __future__ import annotations

import os
import pickle

CACHE_FILE = os.path.join(".compiler", "cache.pickle")


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
                    tool, count = pickle.load(handle)
                    if tool == tool_key:
                        for _ in range(count):
                            key, blob = pickle.load(handle)
                            self.entries[key] = blob
            except Exception:  # noqa: BLE001 - a damaged cache is just a cold cache
                self.entries = {}

    def get(self, key: tuple):
        blob = self.entries.get(key)
        if blob is None:
            return None
        self.used.add(key)
        return pickle.loads(blob) if isinstance(blob, bytes) else blob

    def put(self, key: tuple, value) -> None:
        self.entries[key] = value  # pickled when saved, one entry at a time
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Keep only what this build used, written atomically."""
        if not self.path or not (self.dirty or len(self.used) != len(self.entries)):
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + ".tmp"
        # A stream of (key, pickled entry) records: each entry pickled on its own keeps the pickle
        # memo small (one pickle of 10,000 parsed files memoises every object in them) and lets a
        # later build unpickle only the entries it uses.
        keys = sorted(self.used, key=repr)
        with open(tmp, "wb") as handle:
            pickle.dump((self.tool_key, len(keys)), handle, protocol=pickle.HIGHEST_PROTOCOL)
            for key in keys:
                value = self.entries[key]
                blob = value if isinstance(value, bytes) else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump((key, blob), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
