"""Operator workflow: deploy, status, run a slice, destroy, on top of the `databricks` CLI.

Every function takes plain values and returns plain data or raises `OpsError` with a one-line
reason and its fix; the CLI (cli_ops.py) prints. The `databricks` executable is found on PATH
(tests put a stand-in there). Deployment facts come from the CLI's own local state under
build/.databricks/bundle/<target>/ (deployment.json, terraform/terraform.tfstate); the one record
of ours is build/.databricks/bundle-compiler/<target>.json, written by `destroy`, read by `deploy`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass

from .errors import OpsError

MIN_CLI = (0, 218, 0)  # the first Databricks CLI with bundles generally available
INSTALL_HINT = "install it: curl -fsSL https://raw.githubusercontent.com/databricks/setup-cli/main/install.sh | sh"


@dataclass
class Cli:
    """Runs the `databricks` executable; echo() sees every command before it runs."""

    echo: object = print
    executable: str = "databricks"

    def path(self) -> str | None:
        return shutil.which(self.executable)

    def run(self, args: list[str], cwd: str, capture: bool = False, check: bool = True) -> subprocess.CompletedProcess:
        binary = self.path()
        if binary is None:
            raise OpsError("O110", "the databricks CLI is not installed (not found on PATH)", INSTALL_HINT)
        self.echo("$ databricks " + " ".join(_quote(a) for a in args))
        proc = subprocess.run([binary, *args], cwd=cwd, capture_output=capture, text=True)
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()
            raise OpsError("O113", f"`databricks {' '.join(args)}` failed (exit {proc.returncode})"
                           + (f": {detail[-1]}" if detail else ""),
                           "the CLI's own output above says why" if not capture else "")
        return proc


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else json.dumps(arg)


# ---- preflight ----------------------------------------------------------------------------------
def parse_version(text: str) -> tuple[int, ...] | None:
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(g) for g in match.groups()) if match else None


def preflight(cli: Cli, out_dir: str, targets: list[str], target: str) -> None:
    """Installed, new enough, authenticated, and the target exists. Raises OpsError otherwise."""
    if cli.path() is None:
        raise OpsError("O110", "the databricks CLI is not installed (not found on PATH)", INSTALL_HINT)
    version_text = cli.run(["version"], out_dir, capture=True, check=False).stdout
    version = parse_version(version_text)
    if version is None or version < MIN_CLI:
        found = ".".join(map(str, version)) if version else f"unknown ({version_text.strip()!r})"
        raise OpsError("O111", f"the databricks CLI is too old for bundles: {found}, need {'.'.join(map(str, MIN_CLI))} "
                       "or newer", "upgrade it: " + INSTALL_HINT.split(": ", 1)[1])
    me = cli.run(["current-user", "me", "--output", "json"], out_dir, capture=True, check=False)
    if me.returncode != 0:
        raise OpsError("O112", "the databricks CLI is not authenticated",
                       "run `databricks auth login --host <workspace URL>`, or set DATABRICKS_HOST and "
                       "DATABRICKS_TOKEN")
    if target not in targets:
        from ..diagnostics import did_you_mean

        raise OpsError("O104", f"target {target!r} does not exist", did_you_mean(target, targets) or
                       "targets: " + ", ".join(targets))


def check_stage_in_target(compilation, target: str, stage: str) -> str:
    """The stage's name (a task key is accepted too), if the target has it."""
    from ..diagnostics import did_you_mean

    name = compilation.graph.resolve_name(stage)
    members = compilation.resolved.targets[target].members
    if name is None:
        known = list(compilation.spec.stages) + list(compilation.graph.by_task_key)
        raise OpsError("O105", f"unknown stage {stage!r}", did_you_mean(stage, known) or "see spec/stages/")
    if name not in members:
        raise OpsError("O105", f"stage {name} is not in target {target}",
                       "stages of the target: " + ", ".join(compilation.graph.topological_order(members)))
    return name


def check_shipped_data(spec, out_dir: str) -> None:
    """Every `shipped_data` folder holds files before a deploy or a local run (or the stages and jobs
    reading it fail later, far from the cause)."""
    for folder, command in spec.bundle.shipped_data.items():
        path = os.path.join(out_dir, *folder.split("/"))
        if not (os.path.isdir(path) and any(files for _, _, files in os.walk(path))):
            raise OpsError("O115", f"{out_dir}/{folder} holds no files, and the bundle's stages and jobs read it",
                           f"run `{command}` first (make deploy and make run-local do)")
        for name in spec.bundle.shipped_files.get(folder, []):
            if not any(ch in name for ch in "*?[") and not os.path.isfile(os.path.join(path, *name.split("/"))):
                raise OpsError("O115", f"{out_dir}/{folder}/{name} is missing, and the bundle's stages and jobs read it",
                               f"run `{command}` first (make deploy and make run-local do)")


def require_deployed(out_dir: str, target: str) -> None:
    destroyed = destroyed_record(out_dir, target)
    if destroyed is not None:
        raise OpsError("O114", f"target {target} was destroyed at {destroyed.get('destroyed_at', '?')} (catalog "
                               f"{destroyed.get('catalog', '?')}): nothing of it is deployed",
                       f"deploy it again (every file is uploaded): make deploy TARGET={target}")
    if deployment(out_dir, target) is None:
        raise OpsError("O114", f"target {target} was never deployed from {out_dir}/ (no deployment state in "
                               f"{bundle_state_dir(out_dir, target)})", f"deploy it first: make deploy TARGET={target}")


# ---- local deployment state ---------------------------------------------------------------------
def bundle_state_dir(out_dir: str, target: str) -> str:
    return os.path.join(out_dir, ".databricks", "bundle", target)


def destroy_record(out_dir: str, target: str) -> str:
    return os.path.join(out_dir, ".databricks", "bundle-compiler", f"{target}.json")


def destroyed_record(out_dir: str, target: str) -> dict | None:
    """What `destroy` recorded (when, which catalog), while the target has not been deployed again."""
    try:
        with open(destroy_record(out_dir, target), encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else {}


def destroyed_targets(out_dir: str) -> list[str]:
    folder = os.path.dirname(destroy_record(out_dir, "x"))
    return sorted(name[:-5] for name in os.listdir(folder) if name.endswith(".json")) if os.path.isdir(folder) else []


def deployment(out_dir: str, target: str) -> dict | None:
    """What the CLI recorded about the last deploy of `target`, or None."""
    base = bundle_state_dir(out_dir, target)
    try:
        with open(os.path.join(base, "deployment.json"), encoding="utf-8") as handle:
            info = json.load(handle)
    except (OSError, ValueError):
        return None
    return {"id": info.get("id"), "timestamp": info.get("timestamp"), "cli_version": info.get("cli_version"),
            "files": len(info.get("files") or []), "job_urls": job_urls(out_dir, target)}


def job_urls(out_dir: str, target: str) -> dict[str, str]:
    """Job resource key -> URL, from the CLI's terraform state."""
    path = os.path.join(bundle_state_dir(out_dir, target), "terraform", "terraform.tfstate")
    try:
        with open(path, encoding="utf-8") as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return {}
    urls = {}
    for resource in state.get("resources", []):
        if resource.get("type") == "databricks_job" and resource.get("instances"):
            attributes = resource["instances"][0].get("attributes", {})
            if attributes.get("url"):
                urls[resource.get("name")] = attributes["url"]
    return urls


def deployed_targets(out_dir: str) -> list[str]:
    folder = os.path.join(out_dir, ".databricks", "bundle")
    return sorted(t for t in os.listdir(folder) if deployment(out_dir, t)) if os.path.isdir(folder) else []


def build_time(out_dir: str) -> float:
    try:
        return os.path.getmtime(os.path.join(out_dir, ".compiler", "manifest.json"))
    except OSError:
        return 0.0


def _stamp(value: str | None) -> float:
    if not value:
        return 0.0
    from datetime import datetime

    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def status(out_dir: str) -> list[dict]:
    """One row per target deployed or destroyed from out_dir. A destroyed target says when and which
    catalog, whatever the CLI left of its state (its deployment record may outlive the destroy)."""
    rows = []
    built = build_time(out_dir)
    for target in sorted(set(deployed_targets(out_dir)) | set(destroyed_targets(out_dir))):
        info = deployment(out_dir, target) or {"timestamp": None, "cli_version": None, "files": 0, "job_urls": {}}
        info["target"] = target
        info["build_newer"] = built > _stamp(info["timestamp"])
        info["destroyed"] = destroyed_record(out_dir, target)
        rows.append(info)
    return rows


# ---- deploy and destroy -------------------------------------------------------------------------
def deploy(cli: Cli, out_dir: str, target: str) -> dict:
    """validate, then deploy. After a destroy, first drop that target's sync snapshots so the CLI
    uploads every file again (the known stale-cache bug), keeping every other piece of state."""
    record = destroy_record(out_dir, target)
    full_sync = os.path.exists(record)
    if full_sync:
        snapshots = os.path.join(bundle_state_dir(out_dir, target), "sync-snapshots")
        shutil.rmtree(snapshots, ignore_errors=True)
    cli.run(["bundle", "validate", "-t", target], out_dir)
    cli.run(["bundle", "deploy", "-t", target], out_dir)
    if full_sync:
        os.unlink(record)
    return {"full_sync": full_sync, "deployment": deployment(out_dir, target)}


def destroy(cli: Cli, out_dir: str, target: str, catalog_param: str, catalog: str, cleanup_key: str,
            dry_run: bool, dry_run_param: str = "DRY_RUN") -> None:
    params = f"{catalog_param}={catalog}" + (f",{dry_run_param}=true" if dry_run else "")
    cli.run(["bundle", "run", cleanup_key, "-t", target, "--params", params], out_dir)
    if dry_run:
        return
    cli.run(["bundle", "destroy", "-t", target, "--auto-approve"], out_dir)
    os.makedirs(os.path.dirname(destroy_record(out_dir, target)), exist_ok=True)
    with open(destroy_record(out_dir, target), "w", encoding="utf-8") as handle:
        json.dump({"target": target, "destroyed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "catalog": catalog}, handle)


# ---- running a slice ----------------------------------------------------------------------------
def resolve_only(compilation, target: str, text: str) -> list[str]:
    """Task keys (dependencies first) selected on the target's own graph. Naming a stage the
    target does not have is an error, not a silent empty (or ancestors-only) selection."""
    from ..selectors import evaluate, parse, resolve_stage

    graph = compilation.graph
    members = compilation.resolved.targets[target].members
    selector, errors = parse(text)
    if selector is not None:
        for atom in (a for term in selector.terms for a in term):
            name = resolve_stage(graph, atom)
            if name is not None and name not in members:
                raise OpsError("O105", f"stage {name} is not in target {target}",
                               "stages of the target: " + ", ".join(graph.topological_order(members)))
        chosen, errors = evaluate(selector, graph, universe=members)
    if errors:
        raise OpsError("O106", f"cannot resolve selector {text!r}: {errors[0].message}", errors[0].hint)
    if not chosen:
        raise OpsError("O106", f"selector {text!r} selects no stage of target {target}",
                       "stages of the target: " + ", ".join(sorted(members)))
    return [compilation.spec.stages[name].task_key for name in graph.topological_order(chosen)]


def run_job(cli: Cli, out_dir: str, target: str, job_key: str, task_keys: list[str] | None,
            params: dict[str, str]) -> None:
    args = ["bundle", "run", job_key, "-t", target]
    if task_keys:
        args += ["--only", ",".join(task_keys)]
    if params:
        args += ["--params", ",".join(f"{k}={v}" for k, v in params.items())]
    cli.run(args, out_dir)
