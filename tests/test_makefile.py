"""The Makefile passes every variable a user sets as data, never as shell text: each hostile value
reaches the program exactly as typed (one argument, or one environment variable), and nothing it
contains runs. The compiler's commands are checked through `compiler.make`'s echo mode (the real
make, the real Makefile, the argument list the compiler would get); the recipes that start other
programs (data, test, bench, the venv's Python) through a stand-in Python that records what it got."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

HOSTILE = ["x; touch {p}", "$(touch {p})", "`touch {p}`", "$(shell touch {p})", "it's \"quoted\" {p}",
           "two\nlines; touch {p}", "${{HOME}} && touch {p} #"]

# variable -> (make target, how it reaches the argument list)
COMMANDS = {
    "SPEC": ("validate", "--spec"), "OUT": ("status", "--out"), "TARGET": ("verify", "--target"),
    "ONLY": ("run", "--only"), "PORT": ("app-local", "--port"), "ORDERS": ("app-local", "--items"),
    "ITEMS": ("app-local", "--items"), "CATALOG": ("app-local", "--catalog"),
    "STAGE": ("hotfix", "--stage"), "AFTER": ("new-stage", "--after"), "TARGETS": ("new-stage", "--targets"),
    "DELETE_ADOPTED": ("destroy-local", "--delete-adopted"), "NAME": ("new-stage", "--"),
}


def make(target: str, variables: dict[str, str], env: dict | None = None, venv: str | None = None):
    extra = [f"VENV={venv}"] if venv else []
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    full_env.update(env or {})
    args = ["make", "--no-print-directory", "-C", str(ROOT), target, *extra,
            *[f"{k}={v}" for k, v in variables.items()]]
    return subprocess.run(args, capture_output=True, text=True, env=full_env, timeout=120)


def _echo(target: str, variables: dict[str, str]) -> list[str]:
    run = make(target, {"NAME": "n", "STAGE": "s", **variables}, env={"COMPILER_MAKE_ECHO": "1"})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_variable_reaches_the_compiler_as_one_argument(name, tmp_path):
    target, option = COMMANDS[name]
    for template in HOSTILE:
        pwned = tmp_path / "pwned"
        value = template.format(p=pwned)
        args = _echo(target, {name: value})
        assert args[args.index(option) + 1] == value
        assert not pwned.exists(), (name, value)


def test_the_local_apps_name_is_one_argument(tmp_path):  # make app-local APP=...: python -m apps.local
    for template in HOSTILE:
        pwned = tmp_path / "pwned"
        value = template.format(p=pwned)
        assert _echo("app-local", {"APP": value})[0] == value and not pwned.exists()


def test_params_are_split_into_words_like_before_and_nothing_runs(tmp_path):
    pwned = tmp_path / "pwned"
    args = _echo("run", {"PARAMS": f"A=1 B=$(touch {pwned}) C=`touch {pwned}`;x"})
    assert [args[i + 1] for i, a in enumerate(args) if a == "--param"] == \
        ["A=1", f"B=$(touch", f"{pwned})", "C=`touch", f"{pwned}`;x"]
    assert not pwned.exists()


def test_yes_and_dry_run_are_flags_whatever_else_they_say(tmp_path):
    pwned = tmp_path / "pwned"
    assert "--yes" in _echo("destroy", {"YES": "1"}) and "--dry-run" in _echo("destroy", {"DRY_RUN": "true"})
    args = _echo("destroy", {"YES": f"$(touch {pwned})", "DRY_RUN": f"x; touch {pwned}"})
    assert "--yes" not in args and "--dry-run" not in args and not pwned.exists()


@pytest.fixture
def recording_venv(tmp_path) -> Path:
    """A stand-in venv whose `python` records its arguments and environment instead of running."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls.jsonl"
    python = venv / "bin" / "python"
    python.write_text("#!/usr/bin/env python3\nimport json, os, sys\n"
                      f"open({str(log)!r}, 'a').write(json.dumps({{'argv': sys.argv[1:], 'env': dict(os.environ)}}) + '\\n')\n")
    python.chmod(0o755)
    for stamp in (".runtime-deps", ".data-deps", ".agent-deps", ".app-deps", ".dev-deps"):
        (venv / stamp).write_text("")
    return venv


def _calls(venv: Path) -> list[dict]:
    log = venv.parent / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.parametrize("template", HOSTILE)
def test_recipes_that_start_programs_pass_values_as_data(template, recording_venv, tmp_path):
    pwned = tmp_path / "pwned"
    value = template.format(p=pwned)
    assert make("data", {"OUT": value}, venv=str(recording_venv)).returncode == 0
    outs = [call["argv"][call["argv"].index("--out") + 1] for call in _calls(recording_venv)]
    assert outs == [f"{value}/data/canonical/canonical_dataset", f"{value}/data/documents/generated"]
    assert make("bench", {"BENCH_ARGS": value}, venv=str(recording_venv)).returncode == 0
    assert _calls(recording_venv)[-1]["env"]["MAKEVAR_BENCH_ARGS"] == value
    make("test", {"PYTEST_ARGS": value}, venv=str(recording_venv))  # runs pytest when Java etc. are there
    tested = [c for c in _calls(recording_venv) if "pytest" in c["argv"]]
    assert not tested or tested[-1]["env"]["PYTEST_ADDOPTS"] == value
    # PYTHON names the interpreter that creates the venv: a hostile one is a program that is not found
    fresh = tmp_path / "fresh-venv"
    make("build", {"PYTHON": value}, venv=str(fresh))
    assert not pwned.exists(), value


def test_a_real_build_into_a_hostile_folder_name(tmp_path):
    pwned = tmp_path / "pwned"
    out = tmp_path / f"b; touch {pwned}"
    run = make("build", {"OUT": str(out)})
    assert run.returncode == 0, run.stderr
    assert (out / "databricks.yml").is_file() and not pwned.exists()
