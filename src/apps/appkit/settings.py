"""What the apps' settings share: the Lakebase connection (the database's PG* variables, which the
app's database resource injects on Databricks; PGPASSWORD only locally, since there the password is
the app's OAuth token), the SQL warehouse and the events table, each checked as it is read; and how
the app meets the web: its mode, the hosts it answers for, who may approve large amounts.

Mode: `deployed` (the default, and what Databricks runs) trusts only the identity headers the
platform's proxy forwards and refuses requests without them (401); `local` (set only by the local
launcher, `APP_MODE=local`) falls back to `local_user` and says so on the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,254}$")
NEEDED = ("PGHOST", "PGDATABASE", "PGUSER", "DATABRICKS_WAREHOUSE_ID", "EVENTS_TABLE")
MODES = ("deployed", "local")
# Where Databricks Apps serves an app (the platform's proxy forwards the host the browser asked for)
PLATFORM_HOSTS = ("*.databricksapps.com",)
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class AppSettings:
    pg_host: str
    pg_port: int
    pg_database: str
    pg_user: str
    pg_sslmode: str
    pg_password: str | None  # None: the app's OAuth token, asked for on every new connection
    warehouse_id: str
    events_table: str  # catalog.schema.table
    pool_size: int = 8
    statement_timeout_ms: int = 5000  # no request waits on the database longer than this
    mode: str = "deployed"
    allowed_hosts: tuple[str, ...] = ()  # empty: the mode's own (PLATFORM_HOSTS or LOCAL_HOSTS)
    approvers: tuple[str, ...] = ()  # identities (e-mails) with the approver role
    approval_threshold_usd: float = 50.0  # above it, only an approver may grant an amount
    local_user: str = "local user"  # who acts when no identity header comes (local mode only)

    def __post_init__(self):
        if self.mode not in MODES:
            raise SettingsError(f"APP_MODE must be one of {', '.join(MODES)}, got {self.mode!r}")

    @property
    def local(self) -> bool:
        return self.mode == "local"

    @property
    def hosts(self) -> list[str]:
        return list(self.allowed_hosts or (LOCAL_HOSTS if self.local else PLATFORM_HOSTS))

    @property
    def events_sql_name(self) -> str:
        """The events table as quoted SQL (each part checked, so nothing can be spliced in)."""
        return ".".join(f"`{part}`" for part in name_parts(self.events_table, 3, "EVENTS_TABLE"))


def name_parts(name: str, count: int, variable: str) -> list[str]:
    parts = name.split(".")
    if len(parts) != count or not all(IDENTIFIER.match(p) for p in parts):
        raise SettingsError(f"{variable} must be {count} dot-separated names (letters, digits, _ and -), got {name!r}")
    return parts


def plain_name(env: Mapping[str, str], variable: str, default: str) -> str:
    value = env.get(variable) or default
    if not IDENTIFIER.match(value):
        raise SettingsError(f"{variable} must be a plain name, got {value!r}")
    return value


def listed(env: Mapping[str, str], variable: str) -> tuple[str, ...]:
    """A comma-separated setting as a tuple (blank items dropped)."""
    return tuple(item.strip() for item in (env.get(variable) or "").split(",") if item.strip())


def amount(env: Mapping[str, str], variable: str, default: float) -> float:
    try:
        value = float(env.get(variable) or default)
    except ValueError:
        raise SettingsError(f"{variable} must be an amount in USD, got {env.get(variable)!r}") from None
    if value < 0:
        raise SettingsError(f"{variable} must not be negative, got {value}")
    return value


def common_fields(env: Mapping[str, str], needed: tuple[str, ...], who: str, where: str) -> dict:
    """The shared fields from the environment, after checking that every variable in NEEDED and
    `needed` is set (`who` needs them; `where` says where they come from)."""
    missing = [name for name in NEEDED + needed if not env.get(name)]
    if missing:
        raise SettingsError(f"{who} needs {', '.join(missing)}: {where}")
    name_parts(env["EVENTS_TABLE"], 3, "EVENTS_TABLE")
    return {"pg_host": env["PGHOST"], "pg_port": int(env.get("PGPORT") or 5432), "pg_database": env["PGDATABASE"],
            "pg_user": env["PGUSER"], "pg_sslmode": env.get("PGSSLMODE") or "require",
            "pg_password": env.get("PGPASSWORD"), "warehouse_id": env["DATABRICKS_WAREHOUSE_ID"],
            "events_table": env["EVENTS_TABLE"], "mode": env.get("APP_MODE") or "deployed",
            "allowed_hosts": listed(env, "ALLOWED_HOSTS"), "approvers": listed(env, "APPROVERS"),
            "approval_threshold_usd": amount(env, "APPROVAL_THRESHOLD_USD", 50.0)}
