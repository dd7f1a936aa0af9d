"""A throwaway PostgreSQL server for local runs and tests: the first initdb on PATH (`make test` and
`make app-local` put the `pgserver` wheel's bin/ there when the machine has no PostgreSQL of its
own: tools/engines.py), else Debian's /usr/lib/postgresql/*/bin; a data folder of our own, a port of
our own, trust authentication on 127.0.0.1 only. PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` user (or `nobody`), which owns the data folder and must be able to run
the binaries.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass

from .waits import seconds

SUPERUSER = "caspers"


class PostgresUnavailable(RuntimeError):
    pass


def find_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise PostgresUnavailable(f"PostgreSQL's {name} was not found: run through make (`make app-local` sets "
                                  "PostgreSQL up), install the server (apt-get install -y postgresql-15), or put "
                                  "its bin folder on PATH")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalPostgres:
    folder: str
    port: int = 0

    def __post_init__(self):
        self.folder = os.path.abspath(self.folder)
        self.data = os.path.join(self.folder, "data")
        self.port = self.port or free_port()
        self.sockets = self.folder
        if os.geteuid() == 0:
            self._reachable_by_owner()

    def _reachable_by_owner(self) -> None:
        """As root, the server's user must reach the data: when a folder above it keeps that user
        out (pytest's temporary folders do), the data lives in a folder of its own under the system
        temp folder, named in `data-location`, and is found there again next time."""
        import tempfile

        note = os.path.join(self.folder, "data-location")
        if os.path.exists(note):
            self.data = open(note).read().strip()
        elif not _owner_can_enter(os.path.dirname(self.folder)):
            os.makedirs(self.folder, exist_ok=True)
            self.data = os.path.join(tempfile.mkdtemp(prefix="caspers-pg-"), "data")
            open(note, "w").write(self.data)
        self.sockets = os.path.dirname(self.data)

    @property
    def dsn(self) -> dict[str, str]:
        """Connection settings as the PG* variables psql and the app read."""
        return {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": SUPERUSER, "PGDATABASE": "postgres",
                "PGSSLMODE": "disable", "PGPASSWORD": ""}

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        return ["runuser", "-u", server_user(), "--", *command]

    def _chown(self) -> None:
        if os.geteuid() == 0:
            user = server_user()
            os.makedirs(os.path.dirname(self.data), exist_ok=True)
            subprocess.run(["chown", "-R", f"{user}:", os.path.dirname(self.data)], check=True)

    def start(self) -> "LocalPostgres":
        os.makedirs(self.folder, exist_ok=True)
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            self._chown()
            self._run([find_bin("initdb"), "-D", self.data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                       "--locale=C.UTF-8"], "initdb")
        self._chown()
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run([find_bin("pg_ctl"), "-D", self.data, "-l", os.path.join(self.sockets, "server.log"), "-o", options,
                   "-w", "-t", str(round(seconds(60))), "start"], "start")
        return self

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run(self._as_owner([find_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def remove(self) -> None:
        """Stop the server and delete its data (and the folder its data moved to, as root)."""
        import shutil

        self.stop()
        if os.path.dirname(self.data) != self.folder:
            shutil.rmtree(os.path.dirname(self.data), ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')

    def _run(self, command: list[str], what: str) -> None:
        result = subprocess.run(self._as_owner(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            log = os.path.join(self.sockets, "server.log")
            tail = open(log).read()[-800:] if os.path.exists(log) else ""
            hint = " (as root the server runs as user postgres: every folder above the data folder must let it in)" \
                if os.geteuid() == 0 and "Permission denied" in result.stdout else ""
            raise PostgresUnavailable(f"local PostgreSQL {what} failed{hint}: {result.stdout.strip()[-800:]} {tail}".strip())


def remove_local(out_dir: str) -> bool:
    """Stop the apps' local server (<out>/.local/postgres, kept between their local runs) and delete its
    data, for destroy-local. True when there was one."""
    folder = os.path.join(out_dir, ".local", "postgres")
    if not os.path.isdir(folder):
        return False
    LocalPostgres(folder, 1).remove()
    return True


def server_user() -> str:
    """Who runs the server when we are root (PostgreSQL refuses root)."""
    return "postgres" if _user_exists("postgres") else "nobody"


def _owner_can_enter(folder: str) -> bool:
    return subprocess.run(["runuser", "-u", server_user(), "--", "test", "-x", folder], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
