"""Helpers for the apps' tests: the synced recommendations table as Lakebase would hold it, the app
served by uvicorn on a free port (real HTTP), and a client that calls it as the app's own page does
(an unsafe method carries the page's Origin, unless a test says otherwise)."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "src" / "apps" / "refund_manager"))
sys.path.insert(0, str(ROOT / "src" / "apps"))  # appkit, which the bundle ships into each app's folder
sys.path.append(str(ROOT / "src"))  # sql_statements, which it ships there too

RECOMMENDATIONS = """
    CREATE SCHEMA IF NOT EXISTS recommender;
    CREATE TABLE IF NOT EXISTS recommender.pg_recommendations (
        order_id TEXT PRIMARY KEY, ts TIMESTAMPTZ, order_ts TIMESTAMPTZ, agent_response TEXT,
        order_total_usd DOUBLE PRECISION)"""


def recommendation(kind: str, usd: float, reason: str = "") -> str:
    return json.dumps({"refund_usd": usd, "refund_class": kind, "reason": reason or f"{kind} refund"})


def load(conn, rows: list[tuple]) -> None:
    """(order_id, agent_response[, order_total_usd]) rows, scored a minute apart (the newest last)."""
    conn.execute(RECOMMENDATIONS)
    for i, (order_id, response, *total) in enumerate(rows):
        conn.execute("INSERT INTO recommender.pg_recommendations VALUES (%s, now() - make_interval(mins => %s), "
                     "now() - make_interval(hours => 1), %s, %s) ON CONFLICT DO NOTHING",
                     (order_id, len(rows) - i, response, total[0] if total else None))


@contextmanager
def served(app):
    import uvicorn

    from compiler.ops.local_postgres import free_port

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


def call(url: str, method: str = "GET", body=None, headers: dict | None = None) -> tuple[int, dict | str]:
    """`headers` add to or replace the page's own; a header given as None is left out."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    parts = urllib.parse.urlsplit(url)
    sent = {"Content-Type": "application/json", "Origin": f"{parts.scheme}://{parts.netloc}", **(headers or {})}
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={k: v for k, v in sent.items() if v is not None})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text
