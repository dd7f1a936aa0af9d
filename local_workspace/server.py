"""A stdlib HTTP server standing in for a Databricks workspace, driven by the real databricks-sdk.

Control routes (not part of the Databricks API):
  GET  /_fake/objects            live objects by kind: {"jobs": ["1001", ...], ...}; ?detail=1 for bodies
  GET  /_fake/log                every request seen: method, path, status, kind, op
  GET  /_fake/llm                every request the scripted model got: model, messages, tool names (llm.py)
  POST /_fake/faults             {"kind": "*", "op": "delete", "fraction": 0.3, "mode": "500"|"503"|"429"|"404"|"409"|
                                  "timeout"|"late"|"lost"|"slow"|"garbage", "seconds": 5, "seed": 0, "times": -1}:
                                  append a fault; {"clear": true} removes all. The status modes answer that status
                                  and do nothing; "late" does the work, then answers after `seconds`; "lost" does
                                  the work, then answers 503 (the answer is lost); "slow" waits `seconds` first
                                  (latency); "garbage": a model answers text that is not JSON.
  POST /_fake/objects            {"kind": "tables", "id": "c.s.t", "body": {...}}: plant an object
                                  (what a pipeline would have made, since pipelines do not execute here)
  POST /_fake/config             {"endpoint_ready_after": 2, "endpoint_update_fails": false, "mlflow_uri":
                                  "file:...", "sql": {...}, "scripted_agents": {...}, "llm_models": [...],
                                  "llm_script": [...], "run_schedules": true}: settings (polls until a serving
                                  endpoint is READY, -1 never; its update failing; where agent endpoints load
                                  their models; the SQL engine's data, see sql_engine.py; endpoints answered by
                                  a scripted agent answer; foundation model names; the model's scripted
                                  replies, see llm.py; scheduled jobs firing, see schedule.py; "lakebase_postgres":
                                  {"host", "port", "user"}, the server synced tables fill, see lakebase_sync.py)
  POST /_fake/reset              forget everything, and kill every job task still running
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# Imported to register their routes: the remaining kinds, job runs, Lakebase, serving and SQL, the page.
from . import api_more, lakebase, runs, serving, ui  # noqa: F401
from .api import ROUTES
from .executor import Executor
from .schedule import Scheduler
from .store import ApiError, Fault, Store


PAGE_SIZES = ("page_size", "max_results", "limit")  # what the APIs call the size of a page


def page(payload: dict, key: str, query: dict, body: dict, store: Store) -> dict:
    """Every listing comes a page at a time, as the platform's do: `page_size` (or `max_results`,
    `limit`) items from the offset `page_token` names, with `next_page_token` while more remain (a
    client that reads one page sees only that). Without a size, `page_size_default` (config, 20)."""
    items = payload.get(key) or []
    asked = next((query.get(n) or body.get(n) for n in PAGE_SIZES if query.get(n) or body.get(n)), None)
    size = max(1, int(asked or store.config.get("page_size_default", 20)))
    token = query.get("page_token") or body.get("page_token") or "0"
    start = int(token) if str(token).isdigit() else 0
    out = {k: v for k, v in payload.items() if k not in ("next_page_token", "has_more")}
    out[key] = items[start:start + size]
    if start + size < len(items):
        out["next_page_token"] = str(start + size)
        if "has_more" in payload:
            out["has_more"] = True
    return out


class Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # without it every SDK poll waits ~40 ms for a delayed ACK
    protocol_version = "HTTP/1.1"
    store: Store  # set on the subclass built per server

    def log_message(self, *args) -> None:  # quiet: the store keeps a structured log
        pass

    def _reply(self, status: int, payload, content_type: str = "") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type or
                         ("application/octet-stream" if isinstance(payload, bytes) else "application/json"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":  # a HEAD answer has the headers of the GET, and no body
            self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if "octet-stream" in (self.headers.get("Content-Type") or ""):
            return raw
        if "json" in (self.headers.get("Content-Type") or "") or raw[:1] in (b"{", b"["):
            try:
                return json.loads(raw or b"{}")
            except ValueError:
                return raw
        return raw if self.command == "PUT" else {}

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = self._body()
        if parts.path.startswith("/_fake/"):
            return self._control(parts.path, query, body)
        if parts.path == "/" and self.command == "GET":  # a browser following a link a command printed
            return self._reply(200, ui.page(self.store), content_type="text/html; charset=utf-8")
        for entry in ROUTES:
            kind, op, handler, locked = entry.kind, entry.op, entry.handler, entry.locked
            match = entry.pattern.match(parts.path) if entry.method == self.command else None
            if not match:
                continue
            fault = self.store.fault_for(kind, op)
            if fault and fault.mode not in ("late", "lost", "slow", "garbage", "async"):
                return self._fault(fault, parts.path, kind, op)
            if fault and fault.mode == "slow":  # latency: answer normally, after `seconds`
                time.sleep(fault.seconds)
            if entry.request is not None and isinstance(body, dict):
                body = entry.request(body)  # decoded as the platform decodes it (wire.py)
            arguments = (self.store, match, query, body if isinstance(body, (dict, bytes)) else {})
            try:
                if locked:
                    with self.store.lock:
                        payload = handler(*arguments)
                else:
                    payload = handler(*arguments, fault=fault) if fault and fault.mode in ("garbage", "async") \
                        else handler(*arguments)
                status = 200
                if entry.paged is not None:
                    payload = page(payload, entry.paged, query, body if isinstance(body, dict) else {}, self.store)
                if entry.response is not None:
                    payload = entry.response(payload)  # only what the API answers
            except ApiError as err:
                status, payload = err.status, {"error_code": err.code, "message": err.message}
            if fault and fault.mode == "lost":  # done, but the answer is a 503: the client cannot know
                status, payload = 503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "injected: done, answer lost"}
            self.store.record(self.command, parts.path, status, kind, op)
            if fault and fault.mode == "late":  # done, but the answer comes after the client may have given up
                time.sleep(fault.seconds)
            try:
                return self._reply(status, payload)
            except (BrokenPipeError, ConnectionResetError):
                return None
        self.store.record(self.command, parts.path, 501, "unknown", "unknown")
        self._reply(501, {"error_code": "NOT_IMPLEMENTED", "message": f"{self.command} {parts.path} is not "
                          "implemented by the workspace stand-in"})

    def _fault(self, fault: Fault, path: str, kind: str, op: str) -> None:
        if fault.mode == "timeout":
            time.sleep(fault.seconds)
            self.store.record(self.command, path, 504, kind, op)
            return self._reply(504, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "injected timeout"})
        status, code = {"429": (429, "TOO_MANY_REQUESTS"), "503": (503, "TEMPORARILY_UNAVAILABLE"),
                        "404": (404, "RESOURCE_DOES_NOT_EXIST"), "409": (409, "RESOURCE_ALREADY_EXISTS")}.get(
            fault.mode, (500, "INTERNAL_ERROR"))
        self.store.record(self.command, path, status, kind, op)
        self._reply(status, {"error_code": code, "message": f"injected fault ({kind} {op})"})

    def _control(self, path: str, query: dict, body) -> None:
        store = self.store
        if path == "/_fake/objects" and self.command == "GET":
            if query.get("detail"):
                return self._reply(200, store.detail())
            return self._reply(200, store.summary())
        if path == "/_fake/objects" and self.command == "POST":
            store.put(body["kind"], body["id"], body.get("body") or {})
            return self._reply(200, {})
        if path == "/_fake/log":
            with store.lock:
                return self._reply(200, list(store.log))
        if path == "/_fake/llm":
            with store.lock:
                return self._reply(200, list(store.llm_requests))
        if path == "/_fake/faults" and self.command == "POST":
            with store.lock:
                if body.get("clear"):
                    store.faults.clear()
                else:
                    store.faults.append(Fault(**{k: body[k] for k in ("kind", "op", "fraction", "mode", "seconds", "seed",
                                                                      "times") if k in body}))
            return self._reply(200, {})
        if path == "/_fake/config" and self.command == "POST":
            with store.lock:
                store.config.update(body)
            return self._reply(200, store.config)
        if path == "/_fake/reset" and self.command == "POST":
            store.executor.stop()  # outside the lock: a run's thread takes it to finish
            with store.lock:
                store.objects.clear(), store.files.clear(), store.volume_files.clear(), store.log.clear()
                store.faults.clear(), store.deleted.clear(), store.llm_requests.clear()
                store.executor.forget()
            return self._reply(200, {})
        self._reply(404, {"error_code": "NOT_FOUND", "message": f"no control route {path}"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class LocalWorkspace:
    """Start with `LocalWorkspace().start()`; `.url` is the host to give the SDK.

    `volumes_root`: the folder that holds the volumes' files (`/Volumes/c/s/v/f` is `<root>/c/s/v/f`),
    which job tasks get as DATABRICKS_VOLUMES_ROOT; by default a temporary folder the workspace owns
    and removes when it stops, with the task runs' own files."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", volumes_root: str | Path | None = None):
        self.scratch = Path(tempfile.mkdtemp(prefix="local-workspace-"))
        volumes = Path(volumes_root) if volumes_root is not None else self.scratch / "Volumes"
        self.store = Store(volumes)
        handler = type("BoundHandler", (Handler,), {"store": self.store})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None
        self.store.url = self.url  # what the workspace's own callers (judges, job tasks) reach it at
        self.store.executor = Executor(self.store, self.url, volumes, self.scratch / "runs")
        self.scheduler = Scheduler(self.store)
        from .lakebase_sync import Syncer

        self.store.syncer = self.syncer = Syncer(self.store)  # synced tables into Postgres, when one is configured

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def spark_remote(self) -> str:
        """The workspace's Spark Connect URL (`sc://host:port`), its compute for stages, job tasks and
        pipelines (connect_proxy.py); Spark and the proxy start at the first call."""
        return self.serve_spark()

    def serve_spark(self, port: int = 0) -> str:
        """The Spark Connect endpoint on `port` (0: a free one; ignored once it serves)."""
        from .compute import remote

        return remote(self.store, self.server.server_address[0], port)

    def start(self) -> "LocalWorkspace":
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.scheduler.start()
        self.syncer.start()
        return self

    def stop(self) -> None:
        """Stop serving, and every task still running: nothing is left behind."""
        self.scheduler.stop()
        self.syncer.stop()
        self.store.executor.stop()
        if self.thread is not None:  # shutdown() waits for a serve loop, which only start() begins
            self.server.shutdown()
        self.server.server_close()
        from .compute import stop

        stop(self.store)
        shutil.rmtree(self.scratch, ignore_errors=True)
