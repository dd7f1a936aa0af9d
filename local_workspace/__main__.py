"""python -m local_workspace [--port N] [--mlflow-uri URI] [--seed MODULE:FUNCTION --path DIR --option K=V]
[--llm-script FILE]: serve the local workspace until interrupted; prints its URL.

`--seed` gives its SQL warehouse data, as a workspace whose jobs and pipelines have run: a callable of
the project, `seed(spark, qualify, catalog, **options)` (see sql_engine.py), imported with each
`--path` folder on the import path. `--llm-script` gives its language model the replies it may give
(a JSON list of rules, see llm.py); without one it answers every question with text that is not JSON.
`--lakebase-postgres` gives its Lakebase instances a PostgreSQL server that synced tables fill
(lakebase_sync.py): `auto` starts one of its own (removed on exit), or `postgresql://user@host:port`.
`make workspace` starts it with the Casper's script and `--lakebase-postgres auto`, and `DATA=1` with
the Casper's seed."""

import argparse
import json
import os
import signal
import sys

from .server import LocalWorkspace


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local_workspace", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--spark-port", type=int, help="its Spark Connect port (default: --port + 1, or a free one "
                        "with --port 0)")
    parser.add_argument("--mlflow-uri", default="sqlite:///" + os.path.abspath(os.path.join("build", ".local", "mlflow.db")),
                        help="its MLflow tracking store: the experiments API answers from it (a SQLite one) and "
                             "agent endpoints load their models from it (default: where `make run-local` logs "
                             "them, build/.local/mlflow.db)")
    parser.add_argument("--endpoint-ready-after", type=int, default=2,
                        help="reads of a serving endpoint before it is READY (-1: never)")
    parser.add_argument("--seed", metavar="MODULE:FUNCTION", help="fills the SQL warehouse (see above)")
    parser.add_argument("--path", action="append", default=[], metavar="DIR", help="put on the import path for --seed")
    parser.add_argument("--option", action="append", default=[], metavar="K=V", help="a keyword argument of --seed")
    parser.add_argument("--llm-script", metavar="FILE", help="the scripted replies of its model (see llm.py)")
    parser.add_argument("--volumes-root", metavar="DIR", help="the folder holding the volumes' files (default: a "
                        "temporary folder removed on exit)")
    parser.add_argument("--lakebase-postgres", metavar="auto|URL", help="the PostgreSQL server behind its Lakebase "
                        "instances: `auto` starts one (removed on exit), or postgresql://user@host:port")
    parser.add_argument("--catalog", default="caspersdev", help="the catalog the warehouse serves (default caspersdev)")
    args = parser.parse_args()
    if args.seed and ":" not in args.seed:
        parser.error(f"--seed {args.seed}: write MODULE:FUNCTION")
    options = dict(o.split("=", 1) for o in args.option if "=" in o)
    if len(options) != len(args.option):
        parser.error("--option takes K=V")
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    workspace = LocalWorkspace(args.port, args.host, args.volumes_root)
    workspace.store.config.update({"mlflow_uri": args.mlflow_uri, "endpoint_ready_after": args.endpoint_ready_after})
    if args.llm_script:
        with open(args.llm_script) as handle:
            workspace.store.config["llm_script"] = json.load(handle)
    if args.seed:
        workspace.store.config["sql"] = {"catalog": args.catalog, "seed": args.seed,
                                         "path": [os.path.abspath(p) for p in args.path], "options": options}
    # What a serving container gets: credentials for the workspace, used by the agents it serves, and
    # its tracking server, where the agents' traces go (not MLflow's default ./mlflow.db).
    os.environ.update({"DATABRICKS_HOST": workspace.url, "DATABRICKS_TOKEN": "local-serving-token",
                       "MLFLOW_TRACKING_URI": args.mlflow_uri})
    # A TERM (make, a supervisor) ends it as an interrupt does, so its job runs' processes end with it;
    # set before anything is started that must be stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    server = None
    try:
        if args.lakebase_postgres:
            server, target = _lakebase_postgres(parser, args.lakebase_postgres, workspace.scratch)
            workspace.store.config["lakebase_postgres"] = target
        print(workspace.url, flush=True)
        spark_port = args.spark_port if args.spark_port is not None else (args.port + 1 if args.port else 0)
        remote = workspace.serve_spark(spark_port)
        print(f"export DATABRICKS_HOST={workspace.url} DATABRICKS_TOKEN=any SPARK_REMOTE={remote}", flush=True)
        workspace.start()
        workspace.thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        # Its PostgreSQL first: its data folder may be in the workspace's scratch, which stop() removes
        # (and pg_ctl stops a server only while its postmaster.pid is there).
        if server is not None:
            workspace.syncer.stop()  # no sync mid-way into a server going away
            server.remove()
        workspace.stop()
    sys.exit(0)


def _lakebase_postgres(parser, value: str, scratch):
    """(the server this process started or None, the connection the workspace's synced tables use)."""
    from urllib.parse import urlsplit

    if value == "auto":
        from compiler.ops.local_postgres import SUPERUSER, LocalPostgres, PostgresUnavailable

        try:
            server = LocalPostgres(os.path.join(str(scratch), "lakebase-postgres")).start()
        except PostgresUnavailable as error:
            parser.error(f"--lakebase-postgres auto: {error}")
        print(f"lakebase: postgresql://{SUPERUSER}@127.0.0.1:{server.port}", flush=True)
        return server, {"host": "127.0.0.1", "port": server.port, "user": SUPERUSER}
    url = urlsplit(value)
    if url.scheme not in ("postgresql", "postgres") or not url.port:
        parser.error(f"--lakebase-postgres {value}: write auto, or postgresql://user@host:port")
    return None, {"host": url.hostname or "127.0.0.1", "port": url.port, "user": url.username or "postgres"}


main()
