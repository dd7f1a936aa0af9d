"""The Lakebase (Postgres) side of an app: its connection pool and its own tables.

The pool: on Databricks the password is the app's OAuth token, which expires, so each new
connection asks `token()` for a fresh one (locally a password setting is used instead). Every
connection is checked as it leaves the pool (psycopg_pool's `check`), so after a database restart
the dead connections are replaced instead of failing the next requests, and every session carries a
`statement_timeout`, so no request waits on the database for long.

The tables: `Database.prepare` creates them under a transaction-scoped advisory lock, so replicas
starting together take turns (the second finds everything there) instead of racing on `CREATE
SCHEMA IF NOT EXISTS`; a database not reachable at start is prepared on first use."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable

log = logging.getLogger("appkit.postgres")


class Unavailable(RuntimeError):
    """The database cannot be used now (unreachable, credentials refused, tables missing)."""


def quote(name: str) -> str:
    """A Postgres identifier, quoted (a quote inside is doubled, so nothing can be spliced in)."""
    return '"' + name.replace('"', '""') + '"'


def open_pool(settings: Any, name: str, token: Callable[[], str] | None = None):
    """A closed pool over the settings' pg_* fields (open it with `.open()`)."""
    import psycopg
    from psycopg_pool import ConnectionPool

    password = settings.pg_password

    class Connection(psycopg.Connection):
        @classmethod
        def connect(cls, conninfo: str = "", **kwargs: Any):
            if password is None and token is not None:
                kwargs["password"] = token()
            return super().connect(conninfo, **kwargs)

    def configure(conn) -> None:  # a session setting, so it works behind any pooler that keeps sessions
        conn.execute("SELECT set_config('statement_timeout', %s, false)", (f"{settings.statement_timeout_ms}ms",))
        conn.commit()

    def check(conn) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            # One dead connection means the server restarted: sweep the others now, rather than let
            # each waiting request find its own (the pool backs off between failed checks).
            pool.check()
            raise

    kwargs = {"host": settings.pg_host, "port": settings.pg_port, "dbname": settings.pg_database,
              "user": settings.pg_user, "sslmode": settings.pg_sslmode, "connect_timeout": 5,
              "application_name": name}
    if password is not None:
        kwargs["password"] = password
    pool = ConnectionPool(kwargs=kwargs, connection_class=Connection, min_size=0, max_size=settings.pool_size,
                          timeout=10, open=False, name=name, configure=configure, check=check, reconnect_timeout=60)
    return pool


def oauth_token() -> str:
    """The app's own OAuth token (its service principal's), from the environment Databricks gives it."""
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient().config.oauth_token().access_token


class Database:
    """A pool plus the app's tables: `run(work)` gives `work` a connection, after making sure the
    tables exist; problems become Unavailable with the app's words for them."""

    def __init__(self, pool: Any, lock_name: str, schema: Callable[[], Iterable[str]], optional: Callable[[], Iterable[str]],
                 missing_table: str, unreachable: Callable[[Exception], str]):
        self.pool, self.lock_name = pool, lock_name
        self.schema, self.optional = schema, optional  # DDL that must succeed; DDL that may be refused
        self.missing_table, self.unreachable = missing_table, unreachable
        self.prepared = False
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Create the app's tables (idempotent), one instance at a time across every replica."""
        import psycopg

        with self._lock:
            if self.prepared:
                return
            with self._connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.lock_name,))
                for statement in self.schema():
                    conn.execute(statement)
                for statement in self.optional():  # e.g. an index on a table the app does not own
                    try:
                        with conn.transaction():
                            conn.execute(statement)
                    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable) as err:
                        log.warning("skipped: %s", str(err).splitlines()[0])
            self.prepared = True

    def run(self, work: Callable[[Any], Any]) -> Any:
        if not self.prepared:
            self.prepare()
        with self._connection() as conn:
            return work(conn)

    def ping(self) -> None:
        """Raises Unavailable unless the database answers within two seconds."""
        with self._connection(timeout=2) as conn:
            conn.execute("SELECT 1")

    @contextmanager
    def _connection(self, timeout: float | None = None):
        """A pooled connection; a missing table, a statement timeout, a database that cannot be
        reached (or refuses the credentials) become Unavailable, with the app's words for each."""
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self.pool.connection(timeout=timeout) as conn:
                yield conn
        except psycopg.errors.UndefinedTable as err:
            raise Unavailable(self.missing_table) from err
        except psycopg.errors.QueryCanceled as err:
            raise Unavailable("the database took too long to answer (statement timeout); try again") from err
        except (psycopg.OperationalError, PoolTimeout) as err:
            raise Unavailable(self.unreachable(err)) from err
