"""`python -m compiler.make <command>`: the Makefile's way into the command line, with no shell in
between.

The Makefile exports every variable a user may set (`make run TARGET=t ONLY="+x" PARAMS="K=V ..."`)
as `MAKEVAR_<NAME>`, taking the text exactly as given (`$(value NAME)`: make expands nothing in it),
and never pastes a value into a shell command line. Here each value becomes exactly one argument
of the command (PARAMS one `--param` per whitespace-separated word, as make's own word splitting
did), so `x; touch /tmp/pwned`, `$(...)`, backticks, quotes or newlines reach the compiler as the
text they are, and it refuses them with its usual errors. `COMPILER_MAKE_ECHO=1` prints the
argument list as JSON instead of running it (what `make -n` cannot show any more).
"""

from __future__ import annotations

import json
import os
import sys

YES = ("1", "true", "yes")


def var(name: str, default: str = "") -> str:
    value = os.environ.get(f"MAKEVAR_{name}")
    return default if value is None or value == "" else value


def _target() -> list[str]:
    return ["--target", var("TARGET")] if var("TARGET") else []


def _params() -> list[str]:
    return [arg for word in var("PARAMS").split() for arg in ("--param", word)]


def _flag(name: str, option: str) -> list[str]:
    return [option] if var(name).strip().lower() in YES else []


def _optional(name: str, option: str) -> list[str]:
    return [option, var(name)] if var(name) else []


def arguments(command: str) -> list[str]:
    """The compiler's argument list for `make <command>`."""
    spec, out = ["--spec", var("SPEC", "spec")], ["--out", var("OUT", "build")]
    table = {
        "build": spec + out,
        "validate": spec,
        "run-local": spec + out + _target() + _params(),
        "state": spec + out + _target() + _params(),
        "destroy-local": spec + out + _target() + _params() + _flag("DRY_RUN", "--dry-run")
        + _optional("DELETE_ADOPTED", "--delete-adopted"),
        "preflight": spec + _target(),
        "deploy": spec + out + _target(),
        "verify": spec + out + _target(),
        "status": out,
        "run": spec + out + _target() + _optional("ONLY", "--only") + _params(),
        "hotfix": spec + out + _target() + ["--stage", var("STAGE")],
        "destroy": spec + out + _target() + _params() + _flag("YES", "--yes") + _flag("DRY_RUN", "--dry-run"),
        "graph": spec + out + _target(),
        "explain": spec + ["--", var("STAGE")],
        "new-stage": spec + out + _optional("AFTER", "--after") + _optional("TARGETS", "--targets") + ["--", var("NAME")],
        "clean": out,
    }
    if command == "run-local-preflight":  # the workspace checked before `make data` prepares anything
        return ["run-local", "--preflight"] + spec + _target() + _params()
    if command not in table:
        raise SystemExit(f"compiler.make: unknown command {command!r}")
    return [command] + table[command]


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m compiler.make <command>")
    args = arguments(argv[0])
    if os.environ.get("COMPILER_MAKE_ECHO"):
        print(json.dumps(args))
        return
    from .cli import main as cli

    cli.main(args=args, prog_name="python -m compiler")


if __name__ == "__main__":
    main(sys.argv[1:])
