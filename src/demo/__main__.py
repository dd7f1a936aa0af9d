"""`make demo`: the whole demo alive on this machine (run from the project's root, `src` on the path).

1. `make build`; the local workspace starts (`python -m local_workspace`, with a PostgreSQL of its own
   behind its Lakebase instances and the agents' scripted model), in a process group of its own.
2. `make run-local TARGET=<target>` runs every stage against it (the replay from `--start-day` at
   `--replay-speed`): the replay, the pipelines, the streams' jobs, the agents, Lakebase with its
   synced tables, the apps' resources.
3. Its scheduler is switched on (`run_schedules`, and `schedule_speed`: the replay's job every 3
   minutes and the streams' every 10 come that many times faster), so the jobs run on their own: new
   events land, the pipeline updates, the streams score, the synced tables follow.
4. Both apps serve what the synced tables keep in Lakebase's Postgres, as deployed, at the printed URLs.
5. Every `--every` seconds the status (status.py): stages, jobs, tables, synced rows, the refund lag.
6. Ctrl-C (or `--for` seconds): the apps stop, `make destroy-local` removes what the stages created
   (the count left is printed, 0), the workspace stops with its runs and its Postgres. Nothing is left
   running.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DEFAULT_CATALOG = "caspersdev"  # spec/bundle.yaml
START_DAY, REPLAY_SPEED = 0, 60.0
ROOT = Path(__file__).resolve().parents[2]
APPS = (("refund-manager", "recommender.pg_recommendations", "lakebase_instance", "caspers"),
        ("support-console", "support.support_agent_reports_sync", "support_instance", "caspers_support"))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default="all", help="the target to run (default: all)")
    parser.add_argument("--catalog", default=DEFAULT_CATALOG, help="the target's catalog (default: caspersdev)")
    parser.add_argument("--port", type=int, default=8765, help="the workspace's port (its Spark on port+1)")
    parser.add_argument("--apps-port", type=int, default=8000, help="the Refund Manager's port; the Support "
                                                                    "Console's is the next one")
    parser.add_argument("--speed", type=float, default=10.0, help="the scheduler's clock against the wall "
                                                                 "clock (default 10: a 10-minute job every minute)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="the build folder (default: build); "
                        "each process's output and status.jsonl go to <out>/.local/demo/")
    parser.add_argument("--start-day", type=int, default=START_DAY, help="the dataset day the replay's first "
                        f"run catches up to, 0-89 (START_DAY; default {START_DAY})")
    parser.add_argument("--replay-speed", type=float, default=REPLAY_SPEED, help="replayed seconds per second "
                        f"after that (SPEED_MULTIPLIER; default {REPLAY_SPEED:g})")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between status reports")
    parser.add_argument("--for", dest="duration", type=float, help="stop after this many seconds (default: "
                                                                  "until Ctrl-C)")
    return parser.parse_args(argv)


def from_make(env: dict[str, str]) -> list[str]:
    """`make demo TARGET=... CATALOG=... PORT=... APPS_PORT=... SPEED=... EVERY=... FOR=...`: the Makefile
    exports each as MAKEVAR_<NAME>, exactly as typed; each becomes one argument here (no shell between)."""
    args = []
    for name, option in (("TARGET", "--target"), ("CATALOG", "--catalog"), ("PORT", "--port"),
                         ("APPS_PORT", "--apps-port"), ("OUT", "--out"), ("START_DAY", "--start-day"),
                         ("REPLAY_SPEED", "--replay-speed"), ("SPEED", "--speed"), ("EVERY", "--every"),
                         ("FOR", "--for")):
        value = env.get(f"MAKEVAR_{name}") or ""
        if value:
            args += [option, value]
    return args


def checked(args: argparse.Namespace) -> argparse.Namespace:
    """Names that reach make's command line and the workspace are plain names; speeds are in range."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", args.target):
        raise SystemExit(f"error: TARGET={args.target!r} is not a target name (spec/targets/<name>.yaml)")
    if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", args.catalog) or len(args.catalog) > 14:
        raise SystemExit(f"error: CATALOG={args.catalog!r}: lower-case letters and digits, single `_` between "
                         "parts, 14 characters at most (spec/bundle.yaml, names)")
    if not 0 <= args.start_day <= 89 or not 0 < args.replay_speed <= 3600:
        raise SystemExit("error: START_DAY is a dataset day, 0-89, and REPLAY_SPEED a speed above 0, at most 3600")
    if not 1 <= args.speed <= 600:
        raise SystemExit(f"error: SPEED={args.speed:g}: between 1 (the wall clock) and 600")
    args.out = (ROOT / args.out).resolve()
    args.logs = args.out / ".local" / "demo"  # each process's output, kept after the demo stops
    return args


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = checked(parse(from_make(dict(os.environ)) if argv == ["--from-make"] else argv))
    signal.signal(signal.SIGTERM, _interrupt)
    workspace: list[subprocess.Popen] = []  # filled the moment it starts: stopped whatever happens next
    apps: list[subprocess.Popen] = []
    env = None
    try:
        if subprocess.run(["make", "--no-print-directory", "build", f"OUT={args.out}"], cwd=ROOT).returncode != 0:
            return 1  # the compiler said why
        env, lakebase = start_workspace(args.port, args.out, workspace)
        say(f"workspace {env['DATABRICKS_HOST']} (Spark {env['SPARK_REMOTE']}, Lakebase {lakebase})")
        if run_group(make("run-local", args), env) != 0:
            say("error: make run-local failed (above); stopping")
            return 1
        control(env, "config", {"run_schedules": True, "schedule_speed": args.speed})
        say(f"jobs now run on their schedules, {args.speed:g}x faster than the wall clock")
        from apps.local import places

        databases = {}
        for index, (app, table, instance_of, database) in enumerate(APPS):
            url = lakebase_database(lakebase, instance_name(instance_of, args.catalog), database)
            databases[table] = places.lakebase(url)  # the PG* settings the app gets from the same URL
            port = args.apps_port + index
            apps.append(start_app(app, args, port, url, env))
            say(f"{app}: http://127.0.0.1:{port}")
        watch(args, env, databases, apps + workspace)
    except KeyboardInterrupt:
        say("stopping (the clean-up runs to its end; a second Ctrl-C is ignored)")
    finally:
        # From here on an interrupt would leave things running: ignored (children inherit that too).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            stop(apps)
            if env is not None:
                finish(args, env)
        finally:
            stop(workspace)
    return 0


def say(text: str) -> None:
    print(f"[demo {time.strftime('%H:%M:%S')}] {text}", flush=True)


def client_environment() -> dict[str, str]:
    """This process's environment without the settings that point a client at some workspace (a
    profile, a host, credentials): the demo's clients talk to the local workspace only."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("DATABRICKS_", "ARM_", "SPARK_REMOTE", "MLFLOW_TRACKING")) and k != "MAKEFLAGS"}


def start_workspace(port: int, out: Path, started: list[subprocess.Popen]) -> tuple[dict[str, str], str]:
    """The environment the workspace's clients need, and its Lakebase URL; the process goes into
    `started` at once. Its output (Spark's included) goes to build/.local/demo/workspace.log, read here
    for the lines `python -m local_workspace` prints when it is ready."""
    command = [sys.executable, "-m", "local_workspace", "--port", str(port), "--lakebase-postgres", "auto",
               "--mlflow-uri", f"sqlite:///{out / '.local' / 'mlflow.db'}",
               "--llm-script", str(ROOT / "src" / "agents" / "local_run_script.json")]
    log = out / ".local" / "demo" / "workspace.log"
    process = _logged(command, log, client_environment())
    started.append(process)
    ready, lakebase, deadline = {}, None, time.monotonic() + 180
    while not (ready and lakebase) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("lakebase: "):
                lakebase = line.split(" ", 1)[1].strip()
            if line.startswith("export "):
                ready = dict(word.split("=", 1) for word in line.split()[1:])
    if not (ready.get("DATABRICKS_HOST") and lakebase):
        raise SystemExit(f"error: the local workspace did not start; its output is in {log}")
    return {**client_environment(), **ready}, lakebase


def run_group(command: list[str], env: dict[str, str]) -> int:
    """`command` in a process group of its own, so an interrupt reaches every process it started (a
    stage's notebook under make), not make alone."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop([process])
        raise


def _logged(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """`command` in a session of its own (stopped with its children), its output into `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def instance_name(function: str, catalog: str) -> str:
    from caspers import naming

    return getattr(naming, function)(catalog)


def lakebase_database(lakebase: str, instance: str, database: str) -> str:
    """The URL of an instance's database in the workspace's PostgreSQL (named as its syncer names it)."""
    from local_workspace.lakebase_sync import database_name

    return f"{lakebase}/{database_name(instance, database)}"


def start_app(app: str, args: argparse.Namespace, port: int, url: str, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "apps.local", app, "--catalog", args.catalog, "--port", str(port),
               "--out", str(args.out), "--lakebase", url]
    return _logged(command, args.logs / f"{app}.log", {**env, "PYTHONPATH": str(ROOT / "src")})


def control(env: dict[str, str], route: str, body: dict | None = None):
    request = urllib.request.Request(f"{env['DATABRICKS_HOST']}/_fake/{route}", method="POST" if body else "GET",
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def watch(args, env: dict[str, str], databases: dict, children: list[subprocess.Popen]) -> None:
    from databricks.sdk import WorkspaceClient

    from . import status

    w = WorkspaceClient(host=env["DATABRICKS_HOST"], token=env.get("DATABRICKS_TOKEN", "any"), auth_type="pat")
    warehouse = next((wh.id for wh in w.warehouses.list() if wh.name == f"{args.catalog}-warehouse"), None)
    started = time.monotonic()
    (args.logs / "status.jsonl").unlink(missing_ok=True)
    while args.duration is None or time.monotonic() - started < args.duration:
        for child in children:
            if child.poll() is not None:
                name = child.args[3] if child.args[2] == "apps.local" else "the local workspace"
                raise SystemExit(f"error: {name} stopped (exit {child.returncode}); its output is in "
                                 f"{args.logs}")
        try:
            now = status.collect(w, warehouse, args.catalog, databases, args.out / ".local" / "state.sqlite")
        except Exception as error:  # noqa: BLE001 - a busy workspace or Spark: the next report may pass
            say(f"status unavailable this time: {type(error).__name__}: {error}")
        else:
            print(now.render(), flush=True)
            with open(args.logs / "status.jsonl", "a") as out:
                out.write(json.dumps({"at": time.time(), **now.record()}) + "\n")
        time.sleep(max(1.0, min(args.every, (args.duration or 1e9) - (time.monotonic() - started))))


def stop(children: list[subprocess.Popen]) -> None:
    """Each child and its process group: an interrupt, then a kill after 20 s."""
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGINT)
    for child in children:
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def make(command: str, args: argparse.Namespace) -> list[str]:
    """`make <command>` for the demo's target and catalog (both checked plain names)."""
    params = f"CATALOG={args.catalog} START_DAY={args.start_day} SPEED_MULTIPLIER={args.replay_speed:g}"
    return ["make", "--no-print-directory", command, f"TARGET={args.target}", f"OUT={args.out}", f"PARAMS={params}"]


def finish(args: argparse.Namespace, env: dict[str, str]) -> None:
    """What the stages created, removed while the workspace still runs; what is left, said."""
    try:
        control(env, "config", {"run_schedules": False})
        subprocess.run(make("destroy-local", args), cwd=ROOT, env=env)
        left = control(env, "objects")
        say(f"destroy-local: {sum(len(ids) for ids in left.values())} object(s) left in the workspace")
    except Exception as error:  # noqa: BLE001 - the workspace is stopped next, whatever happened here
        say(f"could not clean up: {type(error).__name__}: {error}")


if __name__ == "__main__":
    sys.exit(main())
