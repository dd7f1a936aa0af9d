"""What every command line entry point shares: options, the last line of defence against
tracebacks, and building before an operator command. Plain helpers, no commands: `cli.py`
(the compiler's commands) and `ops/commands.py` (the operator's) both import from here, and
neither imports the other."""

from __future__ import annotations

import os
import sys

import click

SPEC_OPTION = click.option("--spec", "spec_dir", default="spec", show_default=True,
                           type=click.Path(file_okay=False), help="Spec folder (bundle.yaml, stages/, targets/).")
OUT_OPTION = click.option("--out", "out_dir", default="build", show_default=True,
                          type=click.Path(file_okay=False), help="Output folder for the generated bundle.")
TARGET_OPTION = click.option("--target", "-t", "target", default=None,
                             help="Target (default: the spec's default target).")
PARAM_OPTION = click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                            help="Override a job parameter (repeatable).")


def report(diagnostics) -> None:
    from .diagnostics import render_all

    text = render_all(diagnostics)
    if text:
        click.echo(text, err=True)


def guard(action):
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


def _pick_target(result, target: str | None) -> str:
    targets = result.resolved.targets
    name = target or result.spec.default_target
    if name not in targets:
        from .diagnostics import did_you_mean
        from .ops.errors import OpsError

        err = OpsError("O104", f"unknown target {name!r}", did_you_mean(name, targets) or "targets: " + ", ".join(targets))
        click.echo(err.render(), err=True)
        sys.exit(1)
    return name


def compile_for(spec_dir: str, out_dir: str, target: str | None):
    """Build (so what an operator command uses is exactly what deploys) and pick the target.
    The build's diagnostics are printed, once."""
    from .pipeline import build as run_build

    result, written = guard(lambda: run_build(spec_dir, out_dir))
    report(result.diagnostics)
    if not result.ok or written is None:
        click.echo(f"build failed; {os.path.join(out_dir, '')} left as it was", err=True)
        sys.exit(1)
    if result.resolved is None:  # the build was up to date: compile (checks only) to know the targets
        from .pipeline import compile_spec

        result = guard(lambda: compile_spec(spec_dir, through="check_dataflow"))
    return result, _pick_target(result, target)


def compile_only(spec_dir: str, target: str | None, quiet: bool = False):
    """Check the spec without writing anything (read-only commands). Errors are printed and stop
    the command; warnings are left to `build`, unless `quiet` is off and there are errors."""
    from .pipeline import compile_spec

    result = guard(lambda: compile_spec(spec_dir, through="check_dataflow"))
    if not result.ok:
        report(result.diagnostics)
        click.echo("the spec has errors; fix them first", err=True)
        sys.exit(1)
    return result, _pick_target(result, target)
