"""The clients an agent needs, from the workspace's own configuration (DATABRICKS_HOST and its
credentials: a notebook's, a serving endpoint's, or a local run's): the databricks-sdk client and an
OpenAI client for the workspace's serving endpoints, whose token is asked for on every request, so an
expiring OAuth token keeps working."""

from __future__ import annotations

from typing import Any


def workspace() -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()


def bearer_token(w: Any) -> str:
    """For the OpenAI client, which only invokes serving endpoints."""
    header = w.config.authenticate().get("Authorization", "")  # uc_state: serving invocations create nothing
    return header.split(" ", 1)[1] if " " in header else header


def openai_client(w: Any, timeout: float = 60.0, max_retries: int = 2) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=w.config.host.rstrip("/") + "/serving-endpoints", api_key=lambda: bearer_token(w),
                  timeout=timeout, max_retries=max_retries)
