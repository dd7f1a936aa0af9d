"""What both local apps need: the local PostgreSQL, the workspace's warehouse, and serving."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from datetime import datetime
from typing import Any, Callable

LOCAL_USER = "local user"


class LocalError(RuntimeError):
    """A problem the person running the command can fix; said in one line, with the fix."""


def start_postgres(out_dir: str):
    """The local server in <out>/.local/postgres, on the port it used last time (so a running one is
    found again), with the database `caspers`."""
    from compiler.ops.local_postgres import LocalPostgres, PostgresUnavailable

    folder = os.path.join(out_dir, ".local", "postgres")
    port_file = os.path.join(folder, "port")
    port = int(open(port_file).read()) if os.path.exists(port_file) else 0
    server = LocalPostgres(folder, port)
    try:
        if not _answers(server.port):
            server.start()
        open(port_file, "w").write(str(server.port))
        server.create_database("caspers")
    except PostgresUnavailable as err:
        raise LocalError(f"{err}; install PostgreSQL 15 (apt-get install -y postgresql-15)") from err
    return server


def _answers(port: int) -> bool:
    if not port:
        return False
    import psycopg

    try:
        psycopg.connect(host="127.0.0.1", port=port, user="caspers", dbname="postgres", connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def connect(server):
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=server.port, user="caspers", dbname="caspers", autocommit=True)


def find_warehouse(w: Any, name: str, stage: str, target: str) -> str:
    found = next((wh.id for wh in w.warehouses.list() if wh.name == name), None)
    if not found:
        raise LocalError(f"no warehouse {name} in the workspace: run `make run-local TARGET={target}` first "
                         f"(stage {stage} creates it)")
    return found


def statement(w: Any, warehouse_id: str, sql: str) -> list[list]:
    """The statement's rows, in column order (through the one statement helper: polled, every chunk)."""
    import sql_statements

    try:
        return [list(row.values()) for row in sql_statements.rows(w, warehouse_id, sql, timeout_s=600.0)]
    except sql_statements.StatementFailed as err:
        raise LocalError(f"the warehouse could not list delivered orders: {err}; the local workspace needs data "
                         "(start it with `make workspace DATA=1` after `make data`); on a workspace, check that the "
                         "pipeline of stage lakeflow has run") from None


def timestamp(value: Any) -> datetime | None:
    """A warehouse timestamp (text) as a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00").replace(" ", "T"))


def lakebase(url: str) -> dict[str, str]:
    """postgresql://user@host:port/database (the workspace's Lakebase database) as PG* settings."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if parts.scheme not in ("postgresql", "postgres") or not parts.port or not database:
        raise LocalError(f"--lakebase {url}: write postgresql://user@host:port/database")
    return {"PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port), "PGDATABASE": database,
            "PGUSER": unquote(parts.username or "postgres")}


def environment(server, warehouse_id: str, events_table: str, extra: dict[str, str],
                database: dict[str, str] | None = None) -> dict[str, str]:
    """What the app's resources give it on Databricks, pointed at the local places, in local mode:
    `database` (PG* settings) when the workspace's Lakebase serves it, else the local server's `caspers`."""
    database = database or {"PGHOST": "127.0.0.1", "PGPORT": str(server.port), "PGDATABASE": "caspers",
                            "PGUSER": "caspers"}
    return {**database, "PGSSLMODE": "disable", "PGPASSWORD": "", "DATABRICKS_WAREHOUSE_ID": warehouse_id,
            "EVENTS_TABLE": events_table, "APP_MODE": "local", "APPROVERS": LOCAL_USER, **extra}


def serve(create_app: Callable[[], Any], title: str, port: int, once: bool, say: Callable[[str], None]) -> None:
    """Run the app until interrupted; with `once`, start it, ask its health and summary, print them, stop."""
    import uvicorn

    web = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    if not once:
        say(f"{title}: http://127.0.0.1:{port}  (local mode: you act as '{LOCAL_USER}'; Ctrl-C stops it)")
        web.run()
        return
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        for path in ("/healthz", "/api/summary"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                say(f"{path.rsplit('/', 1)[-1]}: " + json.dumps(json.load(response), sort_keys=True))
    finally:
        web.should_exit = True
        thread.join(10)
