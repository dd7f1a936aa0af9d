"""The Lakebase (Postgres) connection pool an app uses. On Databricks the password is the app's
OAuth token, which expires: each new connection asks `token()` for a fresh one; locally a password
setting is used instead."""

from __future__ import annotations

from typing import Any, Callable


class Unavailable(RuntimeError):
    """The database cannot be used now (unreachable, credentials refused, tables missing)."""


def quote(name: str) -> str:
    """A Postgres identifier, quoted (a quote inside is doubled, so nothing can be spliced in)."""
    return '"' + name.replace('"', '""') + '"'


def run(pool: Any, work: Callable[[Any], Any], missing_table: str, unreachable: Callable[[Exception], str]) -> Any:
    """`work(connection)` on a pooled connection; a missing table or a database that cannot be
    reached (or refuses the credentials) becomes Unavailable, with the app's words for each."""
    import psycopg
    from psycopg_pool import PoolTimeout

    try:
        with pool.connection() as conn:
            return work(conn)
    except psycopg.errors.UndefinedTable as err:
        raise Unavailable(missing_table) from err
    except (psycopg.OperationalError, PoolTimeout) as err:
        raise Unavailable(unreachable(err)) from err


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

    kwargs = {"host": settings.pg_host, "port": settings.pg_port, "dbname": settings.pg_database,
              "user": settings.pg_user, "sslmode": settings.pg_sslmode, "connect_timeout": 5,
              "application_name": name}
    if password is not None:
        kwargs["password"] = password
    return ConnectionPool(kwargs=kwargs, connection_class=Connection, min_size=0, max_size=settings.pool_size,
                          timeout=10, open=False, name=name)


def oauth_token() -> str:
    """The app's own OAuth token (its service principal's), from the environment Databricks gives it."""
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient().config.oauth_token().access_token
