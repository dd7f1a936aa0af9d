"""`app-local`: the Refund Manager on localhost, over what `run-local TARGET=default` left in the
workspace at DATABRICKS_HOST (the stand-in, or a real workspace) and a local PostgreSQL standing in
for Lakebase.

1. A PostgreSQL server in build/.local/postgres (kept between runs, so decisions stay).
2. The sync, as the synced table would do it: delivered orders are scored by the refund agent's
   endpoint with the stream's own code (src/jobs/refund_stream.py), and land, exactly once, in
   recommender.pg_recommendations of the local database `caspers`.
3. The app (src/apps/refund_manager), served by uvicorn with the settings its Databricks resources
   would give it: the `<catalog>-warehouse` for timelines, `<catalog>.lakeflow.all_events`, and the
   local Postgres (with a password setting instead of an OAuth token).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

from .errors import OpsError
from .waits import seconds, waiting_for

PORT_FILE = "port"
RECOMMENDATIONS = """
    CREATE SCHEMA IF NOT EXISTS recommender;
    CREATE TABLE IF NOT EXISTS recommender.pg_recommendations (
        order_id TEXT PRIMARY KEY, ts TIMESTAMPTZ, order_ts TIMESTAMPTZ, agent_response TEXT)"""
DELIVERED = (
    "SELECT d.order_id, c.order_ts, d.delivered_ts FROM "
    "(SELECT order_id, max(ts) AS delivered_ts FROM {events} WHERE event_type = 'delivered' GROUP BY order_id) d "
    "LEFT JOIN (SELECT order_id, min(ts) AS order_ts FROM {events} WHERE event_type = 'order_created' "
    "GROUP BY order_id) c ON c.order_id = d.order_id ORDER BY d.delivered_ts DESC, d.order_id LIMIT {limit}")


@dataclass(frozen=True)
class Places:
    catalog: str
    endpoint: str
    warehouse_id: str
    events_table: str  # catalog.lakeflow.all_events

    @property
    def events_sql(self) -> str:
        return ".".join("`" + part.replace("`", "``") + "`" for part in self.events_table.split("."))


def start_postgres(out_dir: str):
    """The local server, on the port it used last time (so a running one is found again)."""
    from .local_postgres import LocalPostgres, PostgresUnavailable

    folder = os.path.join(out_dir, ".local", "postgres")
    port_file = os.path.join(folder, PORT_FILE)
    port = int(open(port_file).read()) if os.path.exists(port_file) else 0
    server = LocalPostgres(folder, port)
    try:
        if not _answers(server.port):
            server.start()
        open(port_file, "w").write(str(server.port))
        server.create_database("caspers")
    except PostgresUnavailable as err:
        raise OpsError("O150", str(err), "install PostgreSQL 15 (apt-get install -y postgresql-15)") from err
    return server


def find_places(w: Any, catalog: str, endpoint: str) -> Places:
    warehouse = f"{catalog}-warehouse"
    found = next((wh.id for wh in w.warehouses.list() if wh.name == warehouse), None)
    if not found:
        raise OpsError("O151", f"no warehouse {warehouse} in the workspace",
                       "run `make run-local TARGET=default` first: stage apps creates it")
    return Places(catalog, endpoint, found, f"{catalog}.lakeflow.all_events")


class PostgresSink:
    """The stream's sink, writing where the synced table lands: pending = delivered orders (read
    through the warehouse, newest first) not yet in recommender.pg_recommendations."""

    def __init__(self, conn: Any, w: Any, places: Places):
        self.conn, self.w, self.places = conn, w, places
        conn.execute(RECOMMENDATIONS)

    def pending(self, cap: int) -> list:
        from jobs.refund_stream import Order

        have = {row[0] for row in self.conn.execute("SELECT order_id FROM recommender.pg_recommendations")}
        rows = _statement(self.w, self.places, DELIVERED.format(events=self.places.events_sql, limit=cap + len(have)))
        return [Order(r[0], r[1], r[2]) for r in rows if r[0] not in have][:cap]

    def merge(self, rows: list) -> None:
        with self.conn.transaction():
            for row in rows:
                self.conn.execute("INSERT INTO recommender.pg_recommendations VALUES (%s, %s, %s, %s) "
                                  "ON CONFLICT (order_id) DO NOTHING",
                                  (row.order_id, row.ts, row.order_ts, row.agent_response))


def sync(server, w: Any, places: Places, orders: int, say: Callable[[str], None]):
    """Score up to `orders` more delivered orders into the local Postgres; returns the stream's summary."""
    import psycopg

    from agents.common.clients import openai_client
    from jobs.refund_stream import Settings, endpoint_asker, run

    with psycopg.connect(**_connect(server, "caspers"), autocommit=True) as conn:
        sink = PostgresSink(conn, w, places)
        return run(sink, endpoint_asker(openai_client(w), places.endpoint), Settings(cap=orders), say=say)


def app_environment(server, places: Places) -> dict[str, str]:
    """What the app's resources give it on Databricks, pointed at the local places."""
    return {"PGHOST": "127.0.0.1", "PGPORT": str(server.port), "PGDATABASE": "caspers", "PGUSER": "caspers",
            "PGSSLMODE": "disable", "PGPASSWORD": "", "DATABRICKS_WAREHOUSE_ID": places.warehouse_id,
            "EVENTS_TABLE": places.events_table}


def serve(server, places: Places, port: int, once: bool, say: Callable[[str], None]) -> None:
    """Run the app until interrupted; with `once`, start it, ask its summary, print it and stop."""
    import threading
    import urllib.request

    import uvicorn

    os.environ.update(app_environment(server, places))
    from refund_manager.app import create_app

    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    web = uvicorn.Server(config)
    if not once:
        say(f"Refund Manager: http://127.0.0.1:{port}  (Ctrl-C stops it)")
        web.run()
        return
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    limit = seconds(30)
    deadline = time.monotonic() + limit
    while not web.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        if not web.started:
            raise OpsError("O124", f"the Refund Manager did not start on port {port} within {limit:.0f} s",
                           f"is port {port} free? pick another with PORT=; on a busy machine wait longer with "
                           "OPS_WAIT_SCALE=3")
        with waiting_for(f"the Refund Manager's summary on port {port}", limit):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/summary", timeout=limit) as response:
                say("summary: " + json.dumps(json.load(response), sort_keys=True))
    finally:
        web.should_exit = True
        thread.join(10)


def remove_postgres(out_dir: str) -> bool:
    """Stop the local server and delete its data (destroy-local). True when there was one."""
    from .local_postgres import LocalPostgres

    folder = os.path.join(out_dir, ".local", "postgres")
    if not os.path.isdir(folder):
        return False
    LocalPostgres(folder, 1).remove()
    return True


def import_paths(project_src: str) -> None:
    """The project's packages the command runs: the agents, the stream, the app."""
    for folder in (project_src, os.path.join(project_src, "apps"), os.path.join(project_src, "apps", "refund_manager")):
        if folder not in sys.path:
            sys.path.insert(0, folder)


def _connect(server, database: str) -> dict:
    return {"host": "127.0.0.1", "port": server.port, "user": "caspers", "dbname": database}


def _answers(port: int) -> bool:
    if not port:
        return False
    import psycopg

    try:
        psycopg.connect(host="127.0.0.1", port=port, user="caspers", dbname="postgres", connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def _statement(w: Any, places: Places, sql: str) -> list[list]:
    """Run a statement on the warehouse; one still running after the API's 50 s (a cold warehouse)
    is polled, within a scaled limit."""
    from databricks.sdk.service.sql import StatementState

    response = w.statement_execution.execute_statement(statement=sql, warehouse_id=places.warehouse_id,
                                                       wait_timeout="50s")
    limit = seconds(600)
    deadline = time.monotonic() + limit
    while response.status.state in (StatementState.PENDING, StatementState.RUNNING):
        if time.monotonic() > deadline:
            raise OpsError("O124", f"timed out after {limit:.0f} s waiting for warehouse {places.warehouse_id} to list "
                                   "delivered orders", "a warehouse starting cold can take minutes: try again, or wait "
                                                       "longer with OPS_WAIT_SCALE=3")
        time.sleep(2)
        response = w.statement_execution.get_statement(response.statement_id)
    if response.status.state != StatementState.SUCCEEDED:
        message = response.status.error.message if response.status.error else response.status.state
        raise OpsError("O152", f"the warehouse could not list delivered orders: {message}",
                       "the stand-in needs data: start it with `--data` (after `make data`); on a workspace, "
                       "check that the pipeline of stage lakeflow has run")
    return (response.result.data_array if response.result else None) or []
