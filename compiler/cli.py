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
def build(spec_dir: str, out_dir: str) -> None:
    """Check the spec and write the bundle (only files that changed are rewritten)."""
    from .pipeline import build as run_build

    started = time.perf_counter()
    result, written = _guard(lambda: run_build(spec_dir, out_dir))
    _report(result.diagnostics)
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
