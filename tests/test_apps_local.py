"""`make app-local APP=support-console` (python -m apps.local): over the stand-in's warehouse (the
canonical dataset) and its support agent endpoint, the sampled delivered orders' support requests
are reported on with the stream's own code into a local PostgreSQL, each once, and the console
starts in local mode and answers. (The Refund Manager's run is in test_local_runs.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import ROOT
from .fake_env import configure, fake, sdk_env, warehouse_config  # noqa: F401  (fixtures)


def _local(fake, tmp_path, *args: str):  # noqa: F811
    from compiler.ops.local_postgres import free_port

    env = {**os.environ, **sdk_env(fake.url, tmp_path), "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "apps.local", *args, "--once", "--port", str(free_port()),
                           "--out", str(tmp_path / "build")], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_support_console_runs_locally_over_reported_requests(fake, tmp_path):  # noqa: F811
    from databricks.sdk import WorkspaceClient

    from compiler.ops.local_postgres import remove_local

    from .dataset import shared_dataset

    from . import llm_script as script
    from .support_console import support_report

    ids = r'"order_id": "([^"]+)".*"support_request_id": "([^"]+)".*"user_id": "([^"]+)"'
    configure(fake, scripted_agents={"caspersdev_support_agent": [
                  script.rule(ids, script.say(support_report("{2}", 0.0, 4.0, user="{3}", order="{1}")))]},
              sql=warehouse_config("caspersdev", shared_dataset()))
    fake.store.put("serving_endpoints", "caspersdev_support_agent", {"name": "caspersdev_support_agent"})
    try:
        missing = _local(fake, tmp_path, "support-console")
        assert missing.returncode == 1 and "no warehouse caspersdev-support-warehouse" in missing.stderr
        assert "make run-local TARGET=support" in missing.stderr
        WorkspaceClient().warehouses.create(name="caspersdev-support-warehouse")
        first = _local(fake, tmp_path, "support-console", "--items", "5")
        assert first.returncode == 0, first.stderr + first.stdout
        assert "reported on 5 more request(s)" in first.stdout
        assert 'healthz: {"database": "reachable", "status": "ok"}' in first.stdout
        summary = json.loads(first.stdout.split("summary: ", 1)[1].splitlines()[0])
        assert summary["reports"] == 5 and summary["by_status"]["pending"] == 5
        again = _local(fake, tmp_path, "support-console", "--items", "3")
        assert '"reports": 8' in again.stdout  # kept between runs; only new requests reported on
    finally:
        remove_local(str(tmp_path / "build"))
