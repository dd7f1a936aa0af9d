"""Command line: parse arguments into plain values, call the library, render diagnostics once.

Exit codes: 0 success (warnings allowed), 1 errors in the spec, 2 internal compiler error.
"""

from __future__ import annotations

import os
import sys
import time

import click

from .diagnostics import render_all

SPEC_OPTION = click.option("--spec", "spec_dir", default="spec", show_default=True,
                           type=click.Path(file_okay=False), help="Spec folder (bundle.yaml, stages/, targets/).")
OUT_OPTION = click.option("--out", "out_dir", default="build", show_default=True,
                          type=click.Path(file_okay=False), help="Output folder for the generated bundle.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Compile spec/ into a deployable Databricks bundle in build/.

    \b
    Examples:
      python -m compiler build
      python -m compiler validate --spec spec
      python -m compiler build --spec examples/spec --out /tmp/bundle
    """


def _report(diagnostics) -> None:
    text = render_all(diagnostics)
    if text:
        click.echo(text, err=True)


def _guard(action):
    """Run `action`, turning an unexpected exception into a short internal-error message."""
    try:
        return action()
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as err:  # noqa: BLE001 - the last line of defence: no tracebacks for users
        if os.environ.get("COMPILER_DEBUG"):
            raise
        click.echo(f"internal compiler error: {type(err).__name__}: {err}\n"
                   "  hint: this is a bug in the compiler, not in your spec; rerun with COMPILER_DEBUG=1 "
                   "for the traceback and report it", err=True)
        sys.exit(2)


@main.command()
@SPEC_OPTION
@OUT_OPTION
@click.option("--timings", is_flag=True, help="Print how long each pass took.")
def build(spec_dir: str, out_dir: str, timings: bool) -> None:
    """Check the spec and write the bundle (only files that changed are rewritten)."""
    from .pipeline import build as run_build

    started = time.perf_counter()
    result, written = _guard(lambda: run_build(spec_dir, out_dir))
    _report(result.diagnostics)
    if timings:
        click.echo("  ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in result.timings.items()), err=True)
    if not result.ok or written is None:
        click.echo(f"build failed; {out_dir}/ left as it was", err=True)
        sys.exit(1)
    elapsed = time.perf_counter() - started
    click.echo(f"built {out_dir}/: {len(written.written)} written, {len(written.removed)} removed, "
               f"{written.unchanged} unchanged ({elapsed:.2f} s)")


@main.command()
@SPEC_OPTION
def validate(spec_dir: str) -> None:
    """Run every check, including the output check, and write nothing."""
    from .pipeline import compile_spec

    result = _guard(lambda: compile_spec(spec_dir))
    _report(result.diagnostics)
    if not result.ok:
        sys.exit(1)
    click.echo(f"{spec_dir}/ is valid: {len(result.spec.stages)} stages, {len(result.spec.targets)} targets")


@main.command()
@OUT_OPTION
def clean(out_dir: str) -> None:
    """Remove the files the compiler generated; keep build/.databricks/ and anything else."""
    from .write import clean as run_clean

    removed = _guard(lambda: run_clean(out_dir))
    click.echo(f"removed {len(removed)} generated file(s) from {out_dir}/")


TARGET_OPTION = click.option("--target", "-t", "target", default=None,
                             help="Target (default: the spec's default target).")
PARAM_OPTION = click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                            help="Override a job parameter (repeatable).")


def _compile_for(spec_dir: str, out_dir: str, target: str | None):
    """Build (so local runs use exactly what deploys) and pick the target."""
    from .pipeline import build as run_build

    result, written = _guard(lambda: run_build(spec_dir, out_dir))
    _report(result.diagnostics)
    if not result.ok or written is None:
        click.echo(f"build failed; {out_dir}/ left as it was", err=True)
        sys.exit(1)
    if result.resolved is None:  # the build was up to date: compile (checks only) to know the targets
        from .pipeline import compile_spec

        result = _guard(lambda: compile_spec(spec_dir, through="check_dataflow"))
    targets = result.resolved.targets
    name = target or next(t for t, rt in targets.items() if rt.default)
    if name not in targets:
        from .diagnostics import did_you_mean

        click.echo(f"error: unknown target {name!r}; {did_you_mean(name, targets) or 'targets: ' + ', '.join(targets)}",
                   err=True)
        sys.exit(1)
    return result, name


def _params_or_exit(result, target: str, pairs) -> dict:
    from .local import parse_overrides, target_parameters

    try:
        return target_parameters(result, target, parse_overrides(list(pairs)))
    except ValueError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)


def _require_workspace() -> None:
    if not (os.environ.get("DATABRICKS_HOST") or os.environ.get("DATABRICKS_CONFIG_PROFILE")):
        click.echo("error: local runs talk to a workspace through DATABRICKS_HOST (and DATABRICKS_TOKEN)\n"
                   "  hint: start the stand-in with `python -m tests.workspace_fake --port 0` and export the URL it "
                   "prints as DATABRICKS_HOST (any DATABRICKS_TOKEN will do)", err=True)
        sys.exit(1)


@main.command("run-local")
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
def run_local(spec_dir: str, out_dir: str, target: str | None, params) -> None:
    """Run a target's generated notebooks locally, in dependency order, against DATABRICKS_HOST.

    \b
    Examples:
      python -m compiler run-local --target free
      python -m compiler run-local -t free --param CATALOG=mycat --param START_DAY=10
    """
    from .local import format_runs, run_target

    _require_workspace()
    result, name = _compile_for(spec_dir, out_dir, target)
    values = _params_or_exit(result, name, params)
    click.echo(f"running target {name} locally against {os.environ.get('DATABRICKS_HOST', '(profile)')}")
    runs = run_target(result, out_dir, name, values, echo=click.echo)
    click.echo(format_runs(runs))
    if any(r.result != "ok" for r in runs):
        sys.exit(1)


@main.command()
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
def state(spec_dir: str, out_dir: str, target: str | None, params) -> None:
    """List what uc_state (build/.local/state.sqlite) holds for a target's catalog."""
    result, name = _compile_for(spec_dir, out_dir, target)
    values = _params_or_exit(result, name, params)
    catalog = values.get(result.spec.bundle.state_catalog_parameter, "")
    path = os.path.join(out_dir, ".local", "state.sqlite")
    rows = []
    if os.path.exists(path):
        sys.path.insert(0, os.path.abspath(os.path.join(out_dir, "src")))
        from stage_runtime.state import SqliteState
        from .local import format_state

        rows = SqliteState(path).list(catalog)
    click.echo(f"uc_state for catalog {catalog} ({path}): {len(rows)} resource(s)")
    if rows:
        click.echo(format_state(rows))


@main.command("destroy-local")
@SPEC_OPTION
@OUT_OPTION
@TARGET_OPTION
@PARAM_OPTION
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
def destroy_local(spec_dir: str, out_dir: str, target: str | None, params, dry_run: bool) -> None:
    """Run the bundle's cleanup notebook locally for the target's catalog."""
    from .local import run_cleanup

    _require_workspace()
    result, name = _compile_for(spec_dir, out_dir, target)
    values = _params_or_exit(result, name, params)
    param = result.spec.bundle.state_catalog_parameter
    code = run_cleanup(out_dir, param, values.get(param, ""), dry_run)
    sys.exit(code)


from . import cli_ops  # noqa: E402,F401  (registers the operator commands on `main`)
