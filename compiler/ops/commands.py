"""Operator commands: run-local, state, destroy-local, preflight, deploy, verify, status, run,
hotfix, destroy, graph, explain, new-stage.

Commands that act on a workspace build first (so what is deployed or run is what the spec says
now) and check what they need before doing any work (a reachable workspace, the CLI and its login,
a deployed target); the read-only ones (`explain`, `graph`, `state`) compile without writing the
bundle. Errors are `OpsError`s with a code, printed once. The commands are plain click commands
collected in COMMANDS; cli.py adds them to its group.
"""

from __future__ import annotations

import os
import sys

import click

from ..cli_support import OUT_OPTION, PARAM_OPTION, SPEC_OPTION, TARGET_OPTION, compile_for, compile_only, guard

COMMANDS: list[click.Command] = []


def command(name: str | None = None):
    """Declare an operator command (collected in COMMANDS, added to the CLI by cli.py)."""
    def register(function):
        cmd = click.command(name)(function)
        COMMANDS.append(cmd)
        return cmd

    return register


def _ops(action):
    """Run a library call: an OpsError is a clear one-line failure, anything else an internal error."""
    from .errors import OpsError

    def attempt():
        try:
            return action(), None
        except OpsError as err:
            return None, err

    value, err = guard(attempt)
    if err is not None:
        _fail(err)
    return value


def _fail(err) -> None:
    click.echo(err.render(), err=True)
    sys.exit(1)


def _cli():
    from .deploy import Cli

    return Cli(echo=lambda line: click.echo(line, err=True))


def _params(result, target: str, pairs) -> dict:
    from .params import target_parameters

    return _ops(lambda: target_parameters(result, target, list(pairs)))


def _warnings(result) -> int:
    return sum(d.severity == "warning" for d in result.diagnostics)


# ---- local runs ---------------------------------------------------------------------------------
@command("run-local")
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
@click.option("--preflight", is_flag=True,
              help="Check the workspace, the target and the parameters, and run nothing (`make run-local` does this "
                   "before preparing the data, as `make deploy` does).")
def run_local(spec_dir: str, out_dir: str, target: str | None, params, preflight: bool) -> None:
    """Run a target's generated notebooks locally, in dependency order, against DATABRICKS_HOST.

    \b
    The data the bundle ships (spec/bundle.yaml, shipped_data) must be there, as for a deploy:
    `make run-local` prepares it (`make data`, only what changed).
    Examples:
      python -m compiler run-local --target free
      python -m compiler run-local -t free --param CATALOG=mycat --param START_DAY=10
    """
    from .deploy import check_shipped_data
    from .local import format_runs, run_target
    from .workspace import check_reachable

    host = _ops(check_reachable)
    if preflight:
        result, name = compile_only(spec_dir, target, quiet=True)
        _params(result, name, params)
        return
    result, name = compile_for(spec_dir, out_dir, target)
    values = _params(result, name, params)
    _ops(lambda: check_shipped_data(result.spec, out_dir))
    click.echo(f"running target {name} locally against {host}")
    runs = run_target(result, out_dir, name, values, echo=click.echo)
    click.echo(format_runs(runs))
    if any(r.result != "ok" for r in runs):
        sys.exit(1)


@command()
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
def state(spec_dir: str, out_dir: str, target: str | None, params) -> None:
    """List what uc_state (build/.local/state.sqlite) holds for a target's catalog. Reads only."""
    result, name = compile_only(spec_dir, target)
    values = _params(result, name, params)
    catalog = values.get(result.spec.bundle.state_catalog_parameter, "")
    path = os.path.join(out_dir, ".local", "state.sqlite")
    from ..files import RUNTIME_DIR

    sys.path.insert(0, os.path.dirname(RUNTIME_DIR))  # the compiler's runtime, whatever the project holds
    from stage_runtime.state import SqliteState

    from .local import format_state

    rows = SqliteState(path, create=False).list(catalog)
    adopted = sum(r.origin == "adopted" for r in rows)
    click.echo(f"uc_state for catalog {catalog} ({path}): {len(rows)} resource(s), {len(rows) - adopted} created "
               f"and {adopted} adopted (cleanup deletes what was created; adopted ones only with DELETE_ADOPTED)")
    if rows:
        click.echo(format_state(rows))


@command("destroy-local")
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@click.option("--delete-adopted", default="", metavar="NAMES",
              help="Also delete these resources the project only found (names separated by `;`).")
def destroy_local(spec_dir: str, out_dir: str, target: str | None, params, dry_run: bool, delete_adopted: str) -> None:
    """Run the bundle's cleanup notebook locally for the target's catalog."""
    from .local import run_cleanup
    from .workspace import check_reachable

    _ops(check_reachable)
    result, name = compile_for(spec_dir, out_dir, target)
    values = _params(result, name, params)
    param = result.spec.bundle.state_catalog_parameter
    code = run_cleanup(out_dir, param, values.get(param, ""), dry_run, delete_adopted,
                       result.spec.bundle.runtime.dry_run_parameter)
    if code == 0 and not dry_run:
        from .local import remove_leftovers
        from .local_postgres import remove_local

        if remove_local(out_dir):
            click.echo("removed the apps' local PostgreSQL (build/.local/postgres)")
        for folder in remove_leftovers(out_dir):
            click.echo(f"removed {out_dir}/{folder}")
    sys.exit(code)


# ---- the workspace, through the databricks CLI ----------------------------------------------------
@command()
@SPEC_OPTION
@TARGET_OPTION
def preflight(spec_dir, target) -> None:
    """Check the databricks CLI (installed, new enough, logged in) and the target, and nothing else:
    `make deploy` runs it before spending time on the dataset."""
    from .deploy import preflight as run_preflight

    result, name = compile_only(spec_dir, target, quiet=True)
    _ops(lambda: run_preflight(_cli(), ".", list(result.resolved.targets), name))
    click.echo(f"preflight ok for target {name}")


@command()
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
def deploy(spec_dir, out_dir, target) -> None:
    """Build, preflight, then `databricks bundle validate` and `bundle deploy` from build/.

    \b
    After `destroy`, the target's stale sync snapshot is dropped first so every file is uploaded
    again (the CLI's known cache bug), keeping every other target's deployment state.
    Examples:
      python -m compiler deploy -t free
      make deploy TARGET=all
    """
    from .deploy import check_shipped_data, deploy as run_deploy, preflight as run_preflight

    result, name = compile_for(spec_dir, out_dir, target)
    cli = _cli()
    _ops(lambda: run_preflight(cli, out_dir, list(result.resolved.targets), name))
    _ops(lambda: check_shipped_data(result.spec, out_dir))
    outcome = _ops(lambda: run_deploy(cli, out_dir, name))
    if outcome["full_sync"]:
        click.echo(f"(full sync: {name} was destroyed since its last deploy)")
    urls = (outcome["deployment"] or {}).get("job_urls", {})
    job = urls.get(result.spec.bundle.job_key)
    warned = _warnings(result)
    click.echo(f"deployed {name}" + (f": {job}" if job else " (no job URL in the deployment state)")
               + (f" (with {warned} warning(s), printed above)" if warned else ""))


@command()
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
def verify(spec_dir, out_dir, target) -> None:
    """Compare what is deployed with what a deploy uploads from build/ (the CLI's sync rules):
    missing, stale, unexpected, and present although it no longer syncs.

    \b
    Example: python -m compiler verify -t free
    """
    from .deploy import require_deployed
    from .workspace import verify as run_verify

    result, name = compile_for(spec_dir, out_dir, target)
    _ops(lambda: require_deployed(out_dir, name))
    report = _ops(lambda: run_verify(result, out_dir, name))
    click.echo(f"{report.root}: {len(report.ok)} file(s) as built")
    for label, items in (("missing", report.missing), ("stale (older than the build)", report.stale),
                         ("excluded but present", report.excluded_present), ("unexpected", report.unexpected),
                         ("needed at run time but kept home by the sync rules", report.dropped)):
        for item in items:
            click.echo(f"  {label}: {item}")
    if not report.clean:
        click.echo(f"verify failed: redeploy with `make deploy TARGET={name}`", err=True)
        sys.exit(1)


@command()
@OUT_OPTION
def status(out_dir) -> None:
    """Which targets are deployed, when, by which CLI, how many files, the job URLs, and whether
    build/ is newer than the deployment; which were destroyed, when (from build/.databricks/)."""
    from .deploy import status as run_status

    rows = run_status(out_dir)
    if not rows:
        click.echo(f"no deployment recorded under {out_dir}/.databricks/bundle/")
        return
    for row in rows:
        destroyed = row["destroyed"]
        if destroyed is not None:
            click.echo(f"{row['target']}: destroyed at {destroyed.get('destroyed_at', '?')} (catalog "
                       f"{destroyed.get('catalog', '?')}): nothing deployed; `make deploy TARGET={row['target']}` "
                       "uploads every file again")
            continue
        urls = ", ".join(f"{k}: {v}" for k, v in sorted(row["job_urls"].items())) or "no job URL"
        flags = " [build/ is newer: deploy again]" if row["build_newer"] else ""
        click.echo(f"{row['target']}: deployed {row['timestamp']} by CLI {row['cli_version']}, {row['files']} files; "
                   f"{urls}{flags}")


@command("run")
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
@click.option("--only", "selector", default=None, help="dbt-like selector: +X, X+, tag:x, unions, intersections.")
def run_deployed(spec_dir, out_dir, target, params, selector) -> None:
    """Run the deployed job (`databricks bundle run <job> --only <task keys>`).

    \b
    X is a stage name or a task key: `+lakebase` and `+Lakebase_Reverse_ETL` mean the same.
    Examples:
      python -m compiler run -t default --only +lakebase
      python -m compiler run -t all --only "tag:menus,+menu_supervisor" --param CATALOG=mine
    """
    from .deploy import preflight as run_preflight, require_deployed, resolve_only, run_job
    from .params import overrides_only

    result, name = compile_for(spec_dir, out_dir, target)
    overrides = _ops(lambda: overrides_only(result, name, list(params)))
    keys = _ops(lambda: resolve_only(result, name, selector)) if selector else None
    cli = _cli()
    _ops(lambda: run_preflight(cli, out_dir, list(result.resolved.targets), name))
    _ops(lambda: require_deployed(out_dir, name))
    if keys:
        click.echo("tasks: " + ",".join(keys))
    _ops(lambda: run_job(cli, out_dir, name, result.spec.bundle.job_key, keys, overrides))


@command()
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@click.option("--stage", required=True, help="The stage whose notebook to replace (make: STAGE=).")
def hotfix(spec_dir, out_dir, target, stage) -> None:
    """Rebuild a stage's notebook from spec and source, import it over the deployed one, read it
    back, and print how to repair the failed run. The repo stays the source of truth.

    \b
    Example: python -m compiler hotfix -t default --stage refunder_agent
    """
    from .deploy import check_stage_in_target
    from .workspace import hotfix as run_hotfix

    result, name = compile_for(spec_dir, out_dir, target)
    stage = _ops(lambda: check_stage_in_target(result, name, stage))
    outcome = _ops(lambda: run_hotfix(result, out_dir, stage, name))
    click.echo(f"imported build/stages/{stage}.py to {outcome.path} and read it back: identical")
    click.echo(f"repair: {outcome.repair}")


@command()
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only list what the cleanup job would delete.")
def destroy(spec_dir, out_dir, target, params, yes, dry_run) -> None:
    """Run the cleanup job for the catalog, then `databricks bundle destroy`, and record the
    destroy so the next deploy does a full sync.

    \b
    Examples:
      python -m compiler destroy -t free --dry-run
      python -m compiler destroy -t free --yes --param CATALOG=mine
    """
    from .deploy import destroy as run_destroy, preflight as run_preflight

    result, name = compile_for(spec_dir, out_dir, target)
    values = _params(result, name, params)
    param = result.spec.bundle.state_catalog_parameter
    catalog = values.get(param, "")
    cli = _cli()
    _ops(lambda: run_preflight(cli, out_dir, list(result.resolved.targets), name))
    if not dry_run and not yes:
        click.confirm(f"Delete everything the project created for catalog {catalog!r} and destroy target {name}?",
                      abort=True)
    _ops(lambda: run_destroy(cli, out_dir, name, param, catalog, result.spec.bundle.cleanup_key, dry_run,
                             result.spec.bundle.runtime.dry_run_parameter))
    click.echo(f"dry run for {catalog} done" if dry_run else f"destroyed {name}; the next deploy syncs every file")


# ---- reading the spec ----------------------------------------------------------------------------
@command()
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
def graph(spec_dir, out_dir, target) -> None:
    """Draw a target's DAG (every target's without --target): the Mermaid text every build writes
    under build/graphs/, and SVG and PNG through Graphviz when `dot` is installed (apt-get install
    graphviz), under build/.local/graphs/ (the build's folder holds only what the build writes, so a
    build after this one still works). Builds nothing."""
    from ..graphs import render_images

    result, name = compile_only(spec_dir, target)
    targets = [name] if target else list(result.resolved.targets)
    images = render_images(result, os.path.join(out_dir, ".local"), targets=targets)
    for t in targets:
        click.echo(f"target {t}: {out_dir}/graphs/{t}.mmd (written by every build)")
    for path in images:
        click.echo(path)
    if not images:
        click.echo("Graphviz `dot` is not installed, so no SVG/PNG: apt-get install graphviz", err=True)


@command()
@SPEC_OPTION
@click.argument("stage")
def explain(spec_dir, stage) -> None:
    """A stage's targets, ancestors, descendants, parameters per target, objects, and what
    changing it would affect. Reads only. Example: python -m compiler explain lakeflow"""
    from ..diagnostics import did_you_mean
    from ..graphs import explain as run_explain
    from .errors import OpsError

    result, _ = compile_only(spec_dir, None)
    name = result.graph.resolve_name(stage)
    if name is None:
        known = list(result.spec.stages) + list(result.graph.by_task_key)
        _fail(OpsError("O105", f"unknown stage {stage!r}", did_you_mean(stage, known) or "see spec/stages/"))
    click.echo(run_explain(result, name))


@command("new-stage")
@SPEC_OPTION
@OUT_OPTION
@click.argument("name")
@click.option("--after", default=None, help="Stage the new one depends on.")
@click.option("--targets", default="", help="Comma-separated targets (default: the default target).")
def new_stage(spec_dir, out_dir, name, after, targets) -> None:
    """Scaffold spec/stages/<name>.yaml and src/stages/<name>.py, then build.

    \b
    Example: python -m compiler new-stage hello --after lakeflow --targets free
    """
    from .scaffold import new_stage as scaffold

    result, default = compile_only(spec_dir, None, quiet=True)
    wanted = [t.strip() for t in targets.split(",") if t.strip()]
    spec_path, source_path = _ops(lambda: scaffold(result, name, after, wanted))
    click.echo(f"created {os.path.relpath(spec_path)} and {os.path.relpath(source_path)}")
    compile_for(spec_dir, out_dir, None)
    click.echo(f"built; it shows in {', '.join(f'{out_dir}/graphs/{t}.mmd' for t in (wanted or [default]))}")
