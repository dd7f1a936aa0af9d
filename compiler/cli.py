"""Command line: parse arguments into plain values, call the library, render diagnostics once.

Exit codes: 0 success (warnings allowed), 1 errors in the spec, 2 internal compiler error.
"""

from __future__ import annotations

import os
import sys
import time

import click

from .cli_support import OUT_OPTION, SPEC_OPTION, guard, report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Compile spec/ into a deployable Databricks bundle in build/.

    \b
    Examples:
      python -m compiler build
      python -m compiler validate --spec spec
      python -m compiler build --spec examples/spec --out /tmp/bundle
    """


JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                           help="Print the result and every diagnostic as one JSON document on stdout.")
STRICT_OPTION = click.option("--strict", is_flag=True, help="Warnings fail too (exit 1; build writes nothing).")


def _emit_json(ok: bool, diagnostics, **extra) -> None:
    import json

    from .diagnostics import to_json

    click.echo(json.dumps({"ok": ok, **extra, "diagnostics": to_json(diagnostics)}, indent=1, ensure_ascii=False))


@main.command()
@SPEC_OPTION
@OUT_OPTION
@click.option("--timings", is_flag=True, help="Print how long each pass took.")
@JSON_OPTION
@STRICT_OPTION
def build(spec_dir: str, out_dir: str, timings: bool, as_json: bool, strict: bool) -> None:
    """Check the spec and write the bundle (only files that changed are rewritten).

    \b
    Exit codes: 0 built (warnings allowed unless --strict), 1 errors (or warnings with --strict),
    2 internal error.
    """
    from .pipeline import build as run_build

    started = time.perf_counter()
    result, written = guard(lambda: run_build(spec_dir, out_dir, strict=strict))
    if as_json:
        counts = {"written": len(written.written), "removed": len(written.removed), "unchanged": written.unchanged} \
            if written is not None else {}
        _emit_json(written is not None, result.diagnostics, **counts)
        sys.exit(0 if written is not None else 1)
    report(result.diagnostics)
    if timings:
        click.echo("  ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in result.timings.items()), err=True)
    if not result.ok or written is None:
        why = " (--strict: warnings fail)" if result.ok and strict else ""
        click.echo(f"build failed{why}; {os.path.join(out_dir, '')} left as it was", err=True)
        sys.exit(1)
    elapsed = time.perf_counter() - started
    click.echo(f"built {out_dir}/: {len(written.written)} written, {len(written.removed)} removed, "
               f"{written.unchanged} unchanged ({elapsed:.2f} s)")


@main.command()
@SPEC_OPTION
@JSON_OPTION
@STRICT_OPTION
def validate(spec_dir: str, as_json: bool, strict: bool) -> None:
    """Run every check, including the output check, and write nothing."""
    from .pipeline import compile_spec

    result = guard(lambda: compile_spec(spec_dir))
    ok = result.ok and not (strict and result.diagnostics)
    if as_json:
        sizes = {"stages": len(result.spec.stages), "targets": len(result.spec.targets)} if result.spec else {}
        _emit_json(ok, result.diagnostics, **sizes)
        sys.exit(0 if ok else 1)
    report(result.diagnostics)
    if not ok:
        if result.ok:
            click.echo("validate failed (--strict: warnings fail)", err=True)
        sys.exit(1)
    click.echo(f"{spec_dir}/ is valid: {len(result.spec.stages)} stages, {len(result.spec.targets)} targets")


@main.command()
@OUT_OPTION
def clean(out_dir: str) -> None:
    """Remove the files the compiler generated; keep build/.databricks/ and anything else."""
    from .write import DamagedState, clean as run_clean

    def attempt():
        try:
            return run_clean(out_dir)
        except DamagedState as err:
            click.echo(f"{out_dir}: error: an interrupted build left a damaged journal: {err} [E902]\n"
                       "  hint: delete the folder's generated files (keep .databricks/, the CLI's state)", err=True)
            sys.exit(1)

    removed = guard(attempt)
    click.echo(f"removed {len(removed)} generated file(s) from {out_dir}/")




def _register_operator_commands() -> None:
    from .ops.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_operator_commands()
