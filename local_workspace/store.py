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
from pathlib import Path

from .volumes import VolumeFiles


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
    # "500", "503", "429", "404", "409" (that answer, nothing done), "timeout" (stall, then 504, nothing
    # done), "late" (do the work, e.g. create the resource, then answer only after `seconds`: a client
    # that gave up may send it again), or "lost" (do the work, then answer 503: the SDK retries it)
    mode: str = "500"
    seconds: float = 5.0  # how long a "timeout" or "late" answer stalls
    seed: int = 0
    times: int = -1  # apply to at most this many calls (-1: no limit)
    rng: random.Random = field(default=None, repr=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def matches(self, kind: str, op: str) -> bool:
        if self.times == 0 or not (self.kind in ("*", kind) and self.op in ("*", op)):
            return False
        if self.rng.random() >= self.fraction:
            return False
        self.times -= 1 if self.times > 0 else 0
        return True


class Store:
    def __init__(self, volumes_root: Path) -> None:
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, dict]] = {}
        self.files: dict[str, dict] = {}  # workspace path -> {"content": bytes, "language", "object_type", "modified_at"}
        self.volume_files = VolumeFiles(volumes_root)  # /Volumes/... path -> bytes, on disk (volumes.py)
        self.log: list[dict] = []
        self.llm_requests: list[dict] = []  # what the scripted model was sent (llm.py; GET /_fake/llm)
        self.faults: list[Fault] = []
        self.deleted: dict[str, set[str]] = {}  # kind -> ids deleted (some APIs answer those differently)
        self.me = "tester@example.com"  # the principal every request acts as
        # Principals grants may name: users and groups of the workspace, and the service principals
        # apps get (by client id). A grant to anyone else is refused, as Unity Catalog refuses it.
        self.principals: set[str] = {"tester@example.com", "colleague@example.com", "account users", "users",
                                     "admins"}
        self.executor = None  # runs jobs' tasks (executor.py); LocalWorkspace gives it one
        self.config: dict = {}  # POST /_fake/config: endpoint_ready_after, mlflow_uri, llm_models, ...
        self.url = ""  # where the workspace listens (LocalWorkspace sets it)
        self.mlflow_sql = None  # the MLflow store behind the experiments API (mlflow_store.py), once made
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
                obj = self.objects[kind].pop(str(key))
            except KeyError:
                raise not_found(what or f"{kind} {key}") from None
            self.deleted.setdefault(kind, set()).add(str(key))
            if kind == "volumes":  # a managed volume's files go with it
                self.volume_files.remove_tree("/Volumes/" + "/".join(str(key).split(".")))
            return obj

    def all(self, kind: str) -> list[dict]:
        with self.lock:
            return list(self.objects.get(kind, {}).values())

    def detail(self) -> dict[str, dict[str, dict]]:
        """Every object by kind and id (GET /_fake/objects?detail=1), those in MLflow's store too."""
        from .mlflow_store import objects as in_mlflow  # experiments and scorers, when MLflow's store holds them

        with self.lock:
            found = {kind: dict(objs) for kind, objs in self.objects.items() if objs}
        for kind, objs in in_mlflow(self).items():
            found[kind] = {**found.get(kind, {}), **objs}
        return dict(sorted(found.items()))

    def summary(self) -> dict[str, list[str]]:
        """Live objects by kind: their ids, sorted (what GET /_fake/objects returns). Soft-deleted
        objects (experiments) and "_runs" etc. are not live resources."""
        live = {kind: sorted(k for k, o in objs.items() if o.get("lifecycle_stage") != "deleted")
                for kind, objs in self.detail().items() if not kind.startswith("_")}
        return {kind: ids for kind, ids in live.items() if ids}

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
