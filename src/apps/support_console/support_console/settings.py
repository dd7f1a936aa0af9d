"""The Support Console's settings, from its environment: on Databricks what its resources inject
(the database, the warehouse, the agent endpoint's name); locally the same names set by the tests or
a developer. The shared part is appkit.settings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from appkit.settings import AppSettings, SettingsError, common_fields

__all__ = ["Settings", "SettingsError", "from_env"]


@dataclass(frozen=True, kw_only=True)
class Settings(AppSettings):
    agent_endpoint: str
    schema: str = "support"
    reports_table: str = "support_agent_reports_sync"  # the synced table's name in Postgres
    max_amount_usd: float = 500.0  # the bound when a row carries no order total (more than any order)


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    common = common_fields(env, ("SUPPORT_AGENT_ENDPOINT_NAME",), "the console",
                           "on Databricks they come from its resources (stage support_lakebase)")
    return Settings(**common, agent_endpoint=env["SUPPORT_AGENT_ENDPOINT_NAME"])
