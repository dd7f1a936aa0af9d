"""The app's settings, from its environment: on Databricks, what the app's resources inject (the
database's PG* variables, the warehouse id, the events table); locally, the same names set by
`make app-local` (plus PGPASSWORD, which Databricks never sets: there the password is the app's
OAuth token)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,254}$")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    pg_host: str
    pg_port: int
    pg_database: str
    pg_user: str
    pg_sslmode: str
    pg_password: str | None  # None: the app's OAuth token, asked for on every new connection
    warehouse_id: str
    events_table: str  # catalog.schema.table
    recommendations_schema: str = "recommender"
    recommendations_table: str = "pg_recommendations"
    refunds_schema: str = "refunds"
    max_refund_usd: float = 500.0  # more than any order of the dataset: above it, an amount is a typo
    pool_size: int = 8
    local_user: str = "local user"  # who decides when no identity header comes (local runs)

    @property
    def events_sql_name(self) -> str:
        """The events table as quoted SQL (each part checked, so nothing can be spliced in)."""
        return ".".join(f"`{part}`" for part in _parts(self.events_table, 3, "EVENTS_TABLE"))


def _parts(name: str, count: int, variable: str) -> list[str]:
    parts = name.split(".")
    if len(parts) != count or not all(IDENTIFIER.match(p) for p in parts):
        raise SettingsError(f"{variable} must be {count} dot-separated names (letters, digits, _ and -), got {name!r}")
    return parts


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    missing = [name for name in ("PGHOST", "PGDATABASE", "PGUSER", "DATABRICKS_WAREHOUSE_ID", "EVENTS_TABLE")
               if not env.get(name)]
    if missing:
        raise SettingsError(f"the app needs {', '.join(missing)}: on Databricks they come from its resources "
                            "(stage apps), locally from `make app-local`")
    for name in ("REFUNDS_SCHEMA", "RECS_SCHEMA"):
        if env.get(name) and not IDENTIFIER.match(env[name]):
            raise SettingsError(f"{name} must be a plain name, got {env[name]!r}")
    settings = Settings(
        pg_host=env["PGHOST"], pg_port=int(env.get("PGPORT") or 5432), pg_database=env["PGDATABASE"],
        pg_user=env["PGUSER"], pg_sslmode=env.get("PGSSLMODE") or "require", pg_password=env.get("PGPASSWORD"),
        warehouse_id=env["DATABRICKS_WAREHOUSE_ID"], events_table=env["EVENTS_TABLE"],
        recommendations_schema=env.get("RECS_SCHEMA") or "recommender",
        refunds_schema=env.get("REFUNDS_SCHEMA") or "refunds",
    )
    _parts(settings.events_table, 3, "EVENTS_TABLE")
    return settings
