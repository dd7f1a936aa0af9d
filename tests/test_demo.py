"""`make demo` end to end, short: `python -m demo` (what `make demo` runs after `make build`) starts the
local workspace with its Postgres, runs the `all` target, lets the jobs run on their schedules on a
fast clock, serves both apps over the synced tables, and stops on Ctrl-C. While it runs, this test
reads its status reports (build/.local/demo/status.jsonl) and the apps' own APIs, and takes a
screenshot of each app (build/.local/screenshots/demo-*.png); after the interrupt, nothing is left:
no object in the workspace, no process, no port. Every number checked here is one the running demo
produced (tables filled by the pipeline, rows scored by the streams, rows copied by the synced tables)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, SCREENSHOTS

SPEED = 30  # the scheduler's clock: the streams' 10-minute jobs every 20 s, the replay's every 6 s
REPLAY_SPEED = 60  # the demo's default: replayed seconds per wall second
# The refund stream scores in rounds, each listing the newest pending orders again; a round takes tens
# of seconds on two cores, a report's two statements as long again while the pipeline runs. The newest
# scored delivery may trail the newest delivery by that much wall time, never more, whatever the backlog:
LAG_BOUND_S = 180 * REPLAY_SPEED


def _free_pair() -> int:
    """A port p with p and p + 1 free (the workspace's Spark, the Support Console, take p + 1)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port < 65000 and _free(port + 1):
            return port
    raise AssertionError("no two free ports in a row")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:  # refused: nothing listens (a closed connection's TIME_WAIT may still hold the port)
        return False
    return True


def _reports(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def _alive(reports: list[dict]) -> bool:
    """Silver and gold grew between two reports, both synced tables have rows, and the refund stream's
    scheduled runs have merged rows (more than the stage's own first run scored) before the last report,
    so its lag is the streams' own, not what piled up while the target ran.
    (A reading of 0 is left out: the local pipeline rewrites a materialized view's files in place, so a
    reader can meet it empty for a moment, which Delta on Databricks never shows.)"""
    def readings(table: str, among: list[dict]) -> list[int]:
        return [r["tables"][table] for r in among if r["tables"].get(table)]

    silver, gold = readings("lakeflow.silver_order_items", reports), readings("lakeflow.gold_order_header", reports)
    scored = readings("recommender.refund_recommendations", reports[:-1])
    return (len(silver) >= 2 and silver[-1] > silver[0] and len(gold) >= 2 and max(gold[1:]) > gold[0]
            and len(scored) >= 2 and scored[-1] > scored[0]
            and reports[-1]["lag_s"] is not None and all(reports[-1]["synced"].values()))


@pytest.mark.alone  # a whole demo: on two cores beside another Spark-heavy test its jobs starve (make test-demo)
def test_a_short_demo_is_alive_serves_both_apps_and_leaves_nothing(tmp_path):
    from .test_refund_app_browser import chromium

    out, logs = tmp_path / "build", tmp_path / "build" / ".local" / "demo"
    port, apps = _free_pair(), _free_pair()
    command = [sys.executable, "-m", "demo", "--target", "all", "--out", str(out), "--port", str(port),
               "--apps-port", str(apps), "--speed", str(SPEED), "--every", "15"]
    # a shell set up for deploys: the demo's clients must talk to the local workspace all the same
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DATABRICKS_HOST": "https://deploys.invalid",
           "DATABRICKS_CONFIG_PROFILE": "colleague", "SPARK_REMOTE": "sc://deploys.invalid:15002"}
    env.pop("MAKEFLAGS", None)
    with open(tmp_path / "demo.out", "wb") as printed:
        demo = subprocess.Popen(command, cwd=ROOT, env=env, stdout=printed, stderr=subprocess.STDOUT,
                                start_new_session=True)
    said = lambda: (tmp_path / "demo.out").read_text(errors="replace")  # noqa: E731
    try:
        deadline = time.monotonic() + 1500  # the target's run (about 4 minutes), then the jobs' turns
        while not _alive(_reports(logs / "status.jsonl")):
            assert demo.poll() is None, said()[-5000:]
            assert time.monotonic() < deadline, json.dumps(_reports(logs / "status.jsonl")[-2:]) + said()[-3000:]
            time.sleep(5)
        reports = _reports(logs / "status.jsonl")
        last = reports[-1]
        assert last["lag_s"] <= LAG_BOUND_S, last
        assert {"canonical_data", "lakeflow", "refunder_stream", "lakebase", "support_lakebase"} <= set(last["stages"])
        assert {job["name"].split(" (")[0]: job["runs"] for job in last["jobs"]}["Refund Recommender Stream"] >= 2
        assert all(job["last"] != "FAILED" for job in last["jobs"]), last["jobs"]

        refunds = _get(f"http://127.0.0.1:{apps}/api/recommendations?include_zero=true")
        reports_page = _get(f"http://127.0.0.1:{apps + 1}/api/reports")
        assert refunds["items"] and reports_page["items"], (refunds, reports_page)
        _screenshots(chromium(), apps)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C, as a person stops it
        try:
            demo.wait(300)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            pytest.fail("the demo did not stop within 5 minutes of Ctrl-C:\n" + said()[-3000:])
    printed = said()
    assert demo.returncode == 0, printed[-3000:]
    assert "destroy-local: 0 object(s) left in the workspace" in printed, printed[-3000:]
    lakebase = int(re.search(r"Lakebase postgresql://[^@\s]+@127\.0\.0\.1:(\d+)", printed).group(1))
    for busy in (port, port + 1, apps, apps + 1, lakebase):  # the workspace's PostgreSQL too
        assert not _listening(busy), f"something still listens on port {busy} after the demo stopped"
    leftover = subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout.split()
    assert leftover == [], f"processes left running: {leftover}"


def _screenshots(browser, apps: int) -> None:
    """Each app's first page with the rows the demo's streams scored and its synced tables copied."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 90)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        browser.get(f"http://127.0.0.1:{apps}")
        browser.find_element(By.ID, "include-zero").click()
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#recs tbody tr"))
        browser.save_screenshot(str(SCREENSHOTS / "demo-refund-manager.png"))
        browser.get(f"http://127.0.0.1:{apps + 1}")
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#reports tbody tr"))
        browser.save_screenshot(str(SCREENSHOTS / "demo-support-console.png"))
    finally:
        browser.quit()
    assert (SCREENSHOTS / "demo-refund-manager.png").stat().st_size > 10_000
    assert (SCREENSHOTS / "demo-support-console.png").stat().st_size > 10_000


def test_make_demo_variables_become_one_argument_each_and_bad_ones_are_refused():
    sys.path.insert(0, str(ROOT / "src"))
    from demo.__main__ import checked, from_make, make, parse

    env = {"MAKEVAR_TARGET": "all", "MAKEVAR_SPEED": "30", "MAKEVAR_FOR": "60", "MAKEVAR_CATALOG": "mine",
           "MAKEVAR_START_DAY": "40", "MAKEVAR_EMPTY": ""}
    args = checked(parse(from_make(env)))
    assert (args.target, args.speed, args.duration, args.catalog, args.start_day) == ("all", 30.0, 60.0, "mine", 40)
    assert make("run-local", args)[-1] == "PARAMS=CATALOG=mine START_DAY=40 SPEED_MULTIPLIER=60"
    for hostile in ({"MAKEVAR_TARGET": "all; rm -rf ~"}, {"MAKEVAR_CATALOG": "x START_DAY=1"},
                    {"MAKEVAR_SPEED": "0"}, {"MAKEVAR_START_DAY": "90"}, {"MAKEVAR_REPLAY_SPEED": "-1"}):
        with pytest.raises(SystemExit) as refused:
            checked(parse(from_make(hostile)))
        assert str(refused.value).startswith("error: "), hostile


def test_an_app_pointed_at_lakebase_gets_that_database_or_a_located_refusal():
    sys.path.insert(0, str(ROOT / "src"))
    from apps.local import places

    assert places.lakebase("postgresql://caspers@127.0.0.1:5433/caspersdevrefundmanager__caspers") == {
        "PGHOST": "127.0.0.1", "PGPORT": "5433", "PGDATABASE": "caspersdevrefundmanager__caspers", "PGUSER": "caspers"}
    for bad in ("http://127.0.0.1:5433/x", "postgresql://127.0.0.1/x", "postgresql://u@127.0.0.1:5433/"):
        with pytest.raises(places.LocalError, match="--lakebase"):
            places.lakebase(bad)
