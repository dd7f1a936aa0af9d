"""The stand-in's memory: objects by kind and id, workspace files, a request log, and faults.

Kinds use the runtime's names (stage_runtime/kinds.py), so a test can compare what uc_state
holds with what the stand-in holds, kind by kind and id by id.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field


class ApiError(Exception):
    """Raised by handlers; becomes a Databricks-style JSON error response."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found(what: str) -> ApiError:
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", f"{what} does not exist.")


def already_exists(what: str) -> ApiError:
    return ApiError(409, "RESOURCE_ALREADY_EXISTS", f"{what} already exists.")


@dataclass
class Fault:
    """Fail `fraction` of calls of `kind` (or "*") and `op` ("create", "delete", "get", ... or "*")."""

    kind: str = "*"
    op: str = "*"
    fraction: float = 1.0
    mode: str = "500"  # "500", "429" or "timeout"
    seconds: float = 5.0  # how long a "timeout" stalls
    seed: int = 0
    rng: random.Random = field(default=None, repr=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def matches(self, kind: str, op: str) -> bool:
        return self.kind in ("*", kind) and self.op in ("*", op) and self.rng.random() < self.fraction


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, dict]] = {}
        self.files: dict[str, dict] = {}  # workspace path -> {"content": bytes, "language", "object_type", "modified_at"}
        self.volume_files: dict[str, bytes] = {}  # /Volumes/... path -> bytes
        self.log: list[dict] = []
        self.faults: list[Fault] = []
        self._ids = itertools.count(1001)

    def new_id(self) -> int:
        return next(self._ids)

    # objects ------------------------------------------------------------------------------------
    def put(self, kind: str, key: str, obj: dict) -> dict:
        with self.lock:
            self.objects.setdefault(kind, {})[str(key)] = obj
            return obj

    def get(self, kind: str, key, what: str | None = None) -> dict:
        with self.lock:
            try:
                return self.objects[kind][str(key)]
            except KeyError:
                raise not_found(what or f"{kind} {key}") from None

    def find(self, kind: str, key) -> dict | None:
        with self.lock:
            return self.objects.get(kind, {}).get(str(key))

    def delete(self, kind: str, key, what: str | None = None) -> dict:
        with self.lock:
            try:
                return self.objects[kind].pop(str(key))
            except KeyError:
                raise not_found(what or f"{kind} {key}") from None

    def all(self, kind: str) -> list[dict]:
        with self.lock:
            return list(self.objects.get(kind, {}).values())

    def summary(self) -> dict[str, list[str]]:
        """Live objects by kind: their ids, sorted (what GET /_fake/objects returns)."""
        with self.lock:
            return {kind: sorted(objs) for kind, objs in sorted(self.objects.items())
                    if objs and not kind.startswith("_")}  # "_runs" etc. are not resources

    # faults -------------------------------------------------------------------------------------
    def fault_for(self, kind: str, op: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(kind, op):
                    return fault
        return None

    def record(self, method: str, path: str, status: int, kind: str, op: str) -> None:
        with self.lock:
            self.log.append({"method": method, "path": path, "status": status, "kind": kind, "op": op,
                             "at": time.time()})
