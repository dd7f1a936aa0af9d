"""python -m apps.local refund-manager|support-console [--catalog C] [--port P] [--items N] [--once]
[--lakebase postgresql://user@host:port/database]

Without --lakebase, the app's rows are scored here into a local PostgreSQL (build/.local/postgres);
with it, the app serves what the workspace's synced table keeps in that database, as deployed
(`make demo`: the local workspace's Lakebase, filled by its synced tables)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/: the agents, the streams, the apps
APPS = {  # app -> (its folder, its title, target that deploys it, stage that makes its warehouse)
    "refund-manager": ("refund_manager", "Refund Manager", "default", "apps"),
    "support-console": ("support_console", "Support Console", "support", "support_lakebase"),
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m apps.local", description=__doc__)
    parser.add_argument("app", choices=sorted(APPS))
    parser.add_argument("--catalog", default="caspersdev", help="the catalog run-local used (default: caspersdev)")
    parser.add_argument("--endpoint", help="the agent's serving endpoint (default: <catalog>_refund_agent or "
                                           "<catalog>_support_agent)")
    parser.add_argument("--warehouse", help="the warehouse's name (default: the one the app's stage creates)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    parser.add_argument("--items", type=int, default=60, help="orders (or requests) to score before serving")
    parser.add_argument("--rate", type=float, default=0.18, help="support requests: the share of delivered orders "
                                                                 "sampled (the target's SUPPORT_RATE)")
    parser.add_argument("--out", default="build", help="where build/.local/postgres lives (default: build)")
    parser.add_argument("--lakebase", metavar="URL", help="serve the synced table's rows in this database "
                        "(postgresql://user@host:port/database) instead of scoring rows here")
    parser.add_argument("--once", action="store_true", help="start the app, print its health and summary, stop")
    return parser.parse_args(argv)


def from_make(env: dict[str, str]) -> list[str]:
    """`make app-local APP=... PORT=... ITEMS=... CATALOG=... OUT=...`: the Makefile exports each as
    MAKEVAR_<NAME>, exactly as typed; each becomes one argument here (no shell in between)."""
    def var(name: str) -> str:
        return env.get(f"MAKEVAR_{name}") or ""

    args = [var("APP") or "refund-manager", "--out", var("OUT") or "build"]
    for name, option in (("PORT", "--port"), ("ITEMS", "--items"), ("CATALOG", "--catalog")):
        value = var(name) or (var("ORDERS") if name == "ITEMS" else "")  # ORDERS: the older name
        if value:
            args += [option, value]
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--from-make"]:
        argv = from_make(dict(os.environ))
        if os.environ.get("COMPILER_MAKE_ECHO"):  # what `make -n` cannot show: the argument list
            print(json.dumps(argv))
            return 0
    args = parse(argv)
    folder, title, target, stage = APPS[args.app]
    for path in (SRC, SRC / "apps", SRC / "apps" / folder):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    from databricks.sdk import WorkspaceClient

    from . import places

    catalog = args.catalog
    events_table = f"{catalog}.lakeflow.all_events"
    events_sql = ".".join("`" + part.replace("`", "``") + "`" for part in events_table.split("."))
    server = None
    try:
        from databricks.sdk.core import Config

        w = WorkspaceClient(config=Config(http_timeout_seconds=300))  # a local warehouse's first query starts Spark
        if args.app == "refund-manager":
            warehouse = places.find_warehouse(w, args.warehouse or f"{catalog}-warehouse", stage, target)
            endpoint = args.endpoint or f"{catalog}_refund_agent"
        else:
            warehouse = places.find_warehouse(w, args.warehouse or f"{catalog}-support-warehouse", stage, target)
            endpoint = args.endpoint or f"{catalog}_support_agent"
        database = places.lakebase(args.lakebase) if args.lakebase else None
        if database is None:
            server = places.start_postgres(args.out)
            print(f"local PostgreSQL on port {server.port} ({args.out}/.local/postgres); workspace {w.config.host}")
            _score_here(args, server, w, warehouse, events_sql, endpoint)
        extra = {"SUPPORT_AGENT_ENDPOINT_NAME": endpoint} if args.app == "support-console" else {}
        os.environ.update(places.environment(server, warehouse, events_table, extra, database))
        module = __import__(f"{folder}.app", fromlist=["create_app"])
        places.serve(module.create_app, title, args.port, args.once, say=print)
    except places.LocalError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
    return 0


def _score_here(args, server, w, warehouse: str, events_sql: str, endpoint: str) -> None:
    """The synced table's job, done here with the streams' own code (each item once)."""
    from . import places, refund, support

    with places.connect(server) as conn:
        if args.app == "refund-manager":
            summary = refund.sync(conn, w, warehouse, events_sql, endpoint, args.items, say=print)
            print(f"scored {summary.scored} more order(s) into recommender.pg_recommendations")
        else:
            summary = support.sync(conn, w, warehouse, events_sql, endpoint, args.items, args.rate, say=print)
            print(f"reported on {summary.scored} more request(s) into support.support_agent_reports_sync")


if __name__ == "__main__":
    sys.exit(main())
