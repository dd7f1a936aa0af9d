"""How a program points the databricks-sdk at the local workspace: the environment a client (a
notebook, a script, the stand-in CLI) needs, with no DATABRICKS_* settings from outside, the SDK's
retries capped at a minute (its own default is five; a profile is the only place that setting can
live), and five minutes for one answer: the first SQL statement starts local Spark, which on a busy
two-core machine takes longer than the SDK's 60 s."""

from __future__ import annotations

import os
from pathlib import Path


def client_env(url: str, folder: Path, retry_timeout_seconds: int = 60, http_timeout_seconds: int = 300) -> dict[str, str]:
    """The process environment, minus DATABRICKS_*/ARM_* settings, pointed at `url` through a
    configuration profile written into `folder`."""
    profile = Path(folder) / "databrickscfg"
    profile.write_text(f"[local]\nhost = {url}\ntoken = local-token\nauth_type = pat\n"
                       f"retry_timeout_seconds = {retry_timeout_seconds}\nhttp_timeout_seconds = {http_timeout_seconds}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "ARM_"))}
    env.update({"DATABRICKS_CONFIG_FILE": str(profile), "DATABRICKS_CONFIG_PROFILE": "local",
                "DATABRICKS_HOST": url})
    return env
