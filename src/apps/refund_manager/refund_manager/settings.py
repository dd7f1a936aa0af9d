"""The Refund Manager's settings, from its environment: on Databricks, what the app's resources
inject; locally, the same names set by `make app-local`. The shared part is appkit.settings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from appkit.settings import AppSettings, SettingsError, common_fields, plain_name

__all__ = ["Settings", "SettingsError", "from_env"]


@dataclass(frozen=True, kw_only=True)
class Settings(AppSettings):
    recommendations_schema: str = "recommender"
    recommendations_table: str = "pg_recommendations"
    refunds_schema: str = "refunds"
    max_refund_usd: float = 500.0  # the bound when a row carries no order total (more than any order)


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    common = common_fields(env, (), "the app", "on Databricks they come from its resources (stage apps), "
                                               "locally from `make app-local`")
    return Settings(**common, recommendations_schema=plain_name(env, "RECS_SCHEMA", "recommender"),
                    refunds_schema=plain_name(env, "REFUNDS_SCHEMA", "refunds"))
