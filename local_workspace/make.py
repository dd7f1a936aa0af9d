"""`python -m local_workspace.make`: `make workspace [PORT=8765] [DATA=1]` without a shell in between
(under tools/engines.py, which puts a PostgreSQL on PATH for its Lakebase).

The Makefile exports what the user typed as MAKEVAR_<NAME> (compiler/make.py says why); here each
value becomes one argument of `python -m local_workspace`. DATA=1 seeds the warehouse with the
Casper's data `make data` wrote under OUT (src/data/canonical/local_warehouse.py)."""

from __future__ import annotations

import os
import sys


def var(name: str, default: str = "") -> str:
    return os.environ.get(f"MAKEVAR_{name}") or default


def arguments() -> list[str]:
    # The agents' model replies as the project's local run scripts it (src/agents/local_run_script.json).
    args = ["--port", var("PORT", "8765"), "--llm-script", os.path.join("src", "agents", "local_run_script.json"),
            "--lakebase-postgres", "auto"]  # synced tables fill a PostgreSQL server of its own
    if var("DATA").strip().lower() in ("1", "true", "yes"):
        dataset = os.path.join(var("OUT", "build"), "data", "canonical", "canonical_dataset")
        args += ["--seed", "local_warehouse:seed", "--path", "src", "--path", "src/data/canonical",
                 "--path", "src/pipelines/order_items", "--option", f"dataset={dataset}"]
    return args


if __name__ == "__main__":
    os.execv(sys.executable, [sys.executable, "-m", "local_workspace", *arguments()])
