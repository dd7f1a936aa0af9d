"""python -m tests.workspace_fake [--port N] [--mlflow-uri URI] [--data [DATASET]] [--llm-script FILE]:
serve the stand-in until interrupted; prints its URL."""

import argparse
import json
import os
import sys

from .server import FakeWorkspace


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.workspace_fake", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mlflow-uri", default="file:" + os.path.abspath(os.path.join("build", ".local", "mlflow")),
                        help="the MLflow store agent endpoints load their models from (default: where "
                             "`make run-local` logs them, build/.local/mlflow)")
    parser.add_argument("--endpoint-ready-after", type=int, default=2,
                        help="reads of a serving endpoint before it is READY (-1: never)")
    parser.add_argument("--data", nargs="?", const=os.path.join("build", "data", "canonical", "canonical_dataset"),
                        metavar="DATASET", help="answer SQL statements over this canonical dataset (default: where "
                                                "`make data` writes it), as a workspace whose pipeline has run")
    parser.add_argument("--catalog", default="caspersdev", help="the catalog --data serves (default caspersdev)")
    parser.add_argument("--days", type=int, default=2, help="days of the dataset --data serves (default 2)")
    parser.add_argument("--llm-script", default=os.path.join(os.path.dirname(__file__), "local_run_script.json"),
                        help="the scripted replies of the stand-in's model (llm.py; default: the local run's "
                             "script, which reads each order and answers a fixed, labelled reply)")
    args = parser.parse_args()
    if args.data and not os.path.exists(os.path.join(args.data, "events.parquet")):
        # The warehouse reads the dataset at its first statement: `make run-local` writes it before then.
        print(f"--data: no canonical dataset in {args.data} yet; SQL statements need it: `make run-local` "
              "(or `make data`) writes it", file=sys.stderr, flush=True)
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    fake = FakeWorkspace(args.port, args.host)
    with open(args.llm_script) as handle:
        script = json.load(handle)
    fake.store.config.update({"mlflow_uri": args.mlflow_uri, "endpoint_ready_after": args.endpoint_ready_after,
                              "llm_script": script})
    if args.data:
        fake.store.config["sql"] = {"catalog": args.catalog, "simulator_schema": "simulator",
                                    "dataset": os.path.abspath(args.data), "days": args.days}
    # What a serving container gets: credentials for the workspace, used by the agents it serves.
    os.environ.update({"DATABRICKS_HOST": fake.url, "DATABRICKS_TOKEN": "stand-in-serving-token"})
    print(fake.url, flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


main()
