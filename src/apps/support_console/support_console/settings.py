"""The console's settings, from its environment: on Databricks what its resources inject (the
database's PG* variables, the agent endpoint's name); locally the same names set by the tests or a
developer (plus PGPASSWORD, which Databricks never sets: there the password is the app's OAuth token)."""

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
    agent_endpoint: str
    warehouse_id: str
    events_table: str  # catalog.schema.table
    schema: str = "support"
    reports_table: str = "support_agent_reports_sync"  # the synced table's name in Postgres
    max_amount_usd: float = 500.0  # more than any order of the dataset: above it, an amount is a typo
    pool_size: int = 8
    local_user: str = "local user"  # who acts when no identity header comes (local runs)

    @property
    def events_sql_name(self) -> str:
        """The events table as quoted SQL (each part checked, so nothing can be spliced in)."""
        parts = self.events_table.split(".")
        if len(parts) != 3 or not all(IDENTIFIER.match(p) for p in parts):
            raise SettingsError(f"EVENTS_TABLE must be 3 dot-separated names, got {self.events_table!r}")
        return ".".join(f"`{part}`" for part in parts)


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    missing = [name for name in ("PGHOST", "PGDATABASE", "PGUSER", "SUPPORT_AGENT_ENDPOINT_NAME",
                                 "DATABRICKS_WAREHOUSE_ID", "EVENTS_TABLE") if not env.get(name)]
    if missing:
        raise SettingsError(f"the console needs {', '.join(missing)}: on Databricks they come from its resources "
                            "(stage support_lakebase)")
    return Settings(pg_host=env["PGHOST"], pg_port=int(env.get("PGPORT") or 5432), pg_database=env["PGDATABASE"],
                    pg_user=env["PGUSER"], pg_sslmode=env.get("PGSSLMODE") or "require",
                    pg_password=env.get("PGPASSWORD"), agent_endpoint=env["SUPPORT_AGENT_ENDPOINT_NAME"],
                    warehouse_id=env["DATABRICKS_WAREHOUSE_ID"], events_table=env["EVENTS_TABLE"])
