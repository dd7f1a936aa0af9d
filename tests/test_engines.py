"""tools/engines.py, which `make test` runs first: the Java launcher drops exactly Spark's vector
flag, versions are read as Java prints them, a command runs with the engines' environment, and a
missing Chromium without root or apt stops with the command to run."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from .conftest import ROOT


def _engines():
    spec = importlib.util.spec_from_file_location("engines", ROOT / "tools" / "engines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_java_launcher_drops_only_the_vector_module_flag(tmp_path):
    engines = _engines()
    launcher = tmp_path / "java"
    launcher.write_text(engines.LAUNCHER.format(flag=engines.VECTOR_FLAG, java=engines._sh_quote("/bin/echo")))
    launcher.chmod(0o755)
    args = ["-Xmx1g", "--add-modules=jdk.incubator.vector", "-cp", "a b.jar", "--add-modules=java.se", "Main", "it's"]
    shown = subprocess.run([str(launcher), *args], capture_output=True, text=True, check=True).stdout
    assert shown == "-Xmx1g -cp a b.jar --add-modules=java.se Main it's\n"


@pytest.mark.parametrize("printed, major", [('openjdk version "17.0.15" 2025-04-15', 17),
                                            ('openjdk version "21.0.8" 2025-07-15 LTS', 21),
                                            ('java version "1.8.0_202"', 8), ("no java here", 0)])
def test_java_versions_are_read_as_java_prints_them(tmp_path, printed, major):
    fake = tmp_path / "java"
    fake.write_text(f"#!/bin/sh\necho '{printed}' >&2\n")
    fake.chmod(0o755)
    assert _engines().java_major(str(fake)) == major


def test_the_command_runs_with_what_the_engines_set_up(tmp_path):
    """`engines.py java -- command`: the command runs with the caller's environment (plus the
    engine's), and its exit code comes back."""
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "engines.py"), "java", "--", sys.executable, "-c",
                          "import os, sys; print(os.environ.get('ENGINES_PROBE')); sys.exit(3)"],
                         capture_output=True, text=True, env={**os.environ, "ENGINES_PROBE": "seen"}, timeout=120)
    assert run.returncode == 3 and run.stdout == "seen\n" and run.stderr.startswith("engines: java: ")


def test_a_missing_chromium_without_root_or_apt_says_the_command_to_run(tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "engines.py"), "chromium", "--", "true"],
                         capture_output=True, text=True, env={**os.environ, "PATH": str(bare)}, timeout=60)
    assert run.returncode == 1
    assert "apt-get install -y chromium chromium-driver" in run.stderr and "Traceback" not in run.stderr
