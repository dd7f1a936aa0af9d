"""`make bench-apps`: how fast the apps answer over 5,000 rows.

A throwaway PostgreSQL 15 holds 5,000 support requests (a tenth regenerated, a third acted on) and
5,000 refund recommendations; each app is served by uvicorn on localhost and called over HTTP, as
its page calls it. For each call the median and the 95th percentile of `--runs` calls are printed
as a Markdown table, after a warm-up. The Support Console's list (a page of 25, newest first) must
answer in under 50 ms (median): the run fails otherwise. `--no-indexes` drops the indexes the apps
create, to show what they are worth.

    python bench/apps.py                  # as `make bench-apps`
    python bench/apps.py --runs 50 --rows 20000
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "src" / "apps", ROOT / "src" / "apps" / "support_console",
               ROOT / "src" / "apps" / "refund_manager"):
    sys.path.insert(0, str(folder))

LIST_BUDGET_MS = 50.0
INDEXES = ("support.support_reports_newest", "support.support_reports_by_user", "support.operator_regenerated_latest",
           "support.operator_actions_by_request", "support.request_status_by_status",
           "recommender.pg_recommendations_newest")


def report(i: int) -> str:
    return json.dumps({"support_request_id": f"s-{i:05d}", "user_id": f"user-{i % 25:03d}", "order_id": f"o-{i:05d}",
                       "credit_recommendation": {"amount_usd": 3.0, "reason": "goodwill"},
                       "refund_recommendation": {"amount_usd": float(i % 3 * 6), "reason": "late"},
                       "draft_response": f"Sorry, user-{i % 25:03d}. We have applied a $3.00 credit to this order.",
                       "past_interactions_summary": "two requests this month", "order_details_summary": "31.50, late",
                       "decision_confidence": "high", "escalation_flag": i % 11 == 0})


def fill(port: int, rows: int) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="caspers", dbname="caspers", autocommit=True) as conn:
        conn.execute("CREATE SCHEMA support; CREATE TABLE support.support_agent_reports_sync (support_request_id TEXT "
                     "PRIMARY KEY, user_id TEXT, order_id TEXT, request_text TEXT, ts TIMESTAMPTZ, agent_response TEXT, "
                     "case_payload TEXT)")
        with conn.cursor().copy("COPY support.support_agent_reports_sync FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((f"s-{i:05d}", f"user-{i % 25:03d}", f"o-{i:05d}", f"My order {i} came late.",
                                f"2026-01-01 00:00:00+00", report(i),
                                json.dumps({"support_request_id": f"s-{i:05d}", "policy_limit_usd": 31.5})))
        conn.execute("UPDATE support.support_agent_reports_sync SET ts = ts + make_interval(secs => "
                     "substr(support_request_id, 3)::int * 60)")
        conn.execute("CREATE SCHEMA recommender; CREATE TABLE recommender.pg_recommendations (order_id TEXT PRIMARY "
                     "KEY, ts TIMESTAMPTZ, order_ts TIMESTAMPTZ, agent_response TEXT, order_total_usd DOUBLE PRECISION)")
        conn.execute("INSERT INTO recommender.pg_recommendations SELECT 'o-' || i, '2026-01-01'::timestamptz + "
                     "make_interval(mins => i), '2026-01-01', json_build_object('refund_usd', (i %% 3) * 5, "
                     "'refund_class', (ARRAY['none', 'partial', 'full'])[i %% 3 + 1], 'reason', 'late')::text, 31.5 "
                     "FROM generate_series(1, %s) i", (rows,))


@contextmanager
def served(app):
    import uvicorn

    from compiler.ops.local_postgres import free_port

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


def timed(url: str, runs: int) -> tuple[float, float]:
    for _ in range(3):
        urllib.request.urlopen(url).read()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            response.read()
            assert response.status == 200, url
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[-1]


def settings(kind, port: int):
    common = dict(pg_host="127.0.0.1", pg_port=port, pg_database="caspers", pg_user="caspers", pg_sslmode="disable",
                  pg_password="", warehouse_id="none", events_table="c.lakeflow.all_events", mode="local")
    return kind(**common, agent_endpoint="none") if kind.__module__.startswith("support") else kind(**common)


def console_calls(url: str) -> list[tuple[str, str]]:
    deep = None
    for _ in range(40):  # page 41 by cursors, as the pager walks
        deep = json.load(urllib.request.urlopen(f"{url}/api/reports?limit=25" + (f"&after={deep}" if deep else "")))["next"]
    return [("list, first page of 25", "/api/reports?limit=25"),
            ("list, page 41 (by cursor)", f"/api/reports?limit=25&after={deep}"),
            ("list, pending only", "/api/reports?status=pending&limit=25"),
            ("list, searched (`late`)", "/api/reports?q=late&limit=25"),
            ("list, searched (`user-007`)", "/api/reports?q=user-007&limit=25"),
            ("summary", "/api/summary"), ("one request", "/api/reports/s-02500")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-indexes", action="store_true")
    args = parser.parse_args()

    import psycopg

    from compiler.ops.local_postgres import LocalPostgres
    from refund_manager.app import create_app as refund_app
    from refund_manager.settings import Settings as RefundSettings
    from support_console.app import create_app as console_app
    from support_console.settings import Settings as ConsoleSettings

    server = LocalPostgres(tempfile.mkdtemp(prefix="bench-apps-")).start()
    try:
        server.create_database("caspers")
        fill(server.port, args.rows)
        results = []
        with served(console_app(settings(ConsoleSettings, server.port))) as console, \
                served(refund_app(settings(RefundSettings, server.port))) as refunds:
            urllib.request.urlopen(console + "/api/summary").read()  # the console's tables exist from here
            urllib.request.urlopen(refunds + "/api/summary").read()
            with psycopg.connect(host="127.0.0.1", port=server.port, user="caspers", dbname="caspers",
                                 autocommit=True) as conn:
                conn.execute("INSERT INTO support.request_status (support_request_id, status) SELECT "
                             "support_request_id, CASE WHEN random() < 0.5 THEN 'resolved' ELSE 'in_progress' END "
                             "FROM support.support_agent_reports_sync WHERE random() < 0.33")
                conn.execute("INSERT INTO support.operator_regenerated_reports (support_request_id, agent_response, "
                             "actor) SELECT support_request_id, agent_response, 'bench' FROM "
                             "support.support_agent_reports_sync WHERE random() < 0.1")
                if args.no_indexes:
                    for index in INDEXES:
                        conn.execute(f"DROP INDEX IF EXISTS {index}")
                conn.execute("ANALYZE")
            for name, path in console_calls(console):
                results.append(("Support Console", name, *timed(console + path, args.runs)))
            for name, path in [("list, first page of 25", "/api/recommendations?limit=25"),
                               ("list, all, with $0", "/api/recommendations?status=all&include_zero=true&limit=25"),
                               ("summary", "/api/summary")]:
                results.append(("Refund Manager", name, *timed(refunds + path, args.runs)))
    finally:
        server.remove()

    print(f"\n{args.rows} rows each, {args.runs} calls per line over HTTP on localhost"
          f"{' (indexes dropped)' if args.no_indexes else ''}\n")
    print("| app | call | median ms | p95 ms |\n|---|---|---:|---:|")
    for app, name, median, p95 in results:
        print(f"| {app} | {name} | {median:.1f} | {p95:.1f} |")
    first = results[0][2]
    print(f"\nSupport Console list, first page: median {first:.1f} ms, budget {LIST_BUDGET_MS:.0f} ms "
          f"({first / LIST_BUDGET_MS:.2f} of it)")
    return 0 if first < LIST_BUDGET_MS or args.no_indexes else 1


if __name__ == "__main__":
    sys.exit(main())
