"""The SDK's create surface: every call of the pinned databricks-sdk that may create something,
and what the runtime does with each.

`sdk_creates.py` lists them (service, method, HTTP method, path), generated from the installed SDK
by `python -m stage_runtime.surface --write` (a test regenerates it and fails when the SDK changes).
Each call is one of:
- tracked: a kind of the registry (kinds.py) matches it; what it creates is registered with evidence;
- part of something else (`PART_OF`, with the reason): it makes nothing that outlives its parent,
  or nothing at all (an app deployment, a pipeline update, a knowledge source, a file in a volume);
- refused (everything else): inside a stage the tracked client does not send it, and says why.
  The build refuses it too, where the stage's code names it (E520).
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache

CREATE_VERBS = ("create", "clone", "submit", "import", "mkdirs", "upload", "fork", "restore", "undrop", "undelete",
                "publish", "install", "deploy", "put", "add", "register", "start", "run", "copy", "duplicate")
DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk_creates.py")

PART_OF: dict[tuple[str, str], str] = {
    ("apps", "deploy"): "a deployment of an app: part of the app, deleted with it",
    ("apps", "start"): "starts an app: creates nothing",
    ("apps", "create_update"): "an update of an app's settings: part of the app",
    ("clusters", "start"): "starts a cluster: creates nothing",
    ("warehouses", "start"): "starts a warehouse: creates nothing",
    ("vector_search_endpoints", "start_endpoint"): "starts an endpoint: creates nothing",
    ("pipelines", "start_update"): "an update of a pipeline: part of it; the tables it writes live in the "
                                   "pipeline's schema",
    ("jobs", "run_now"): "a run of a job: part of the job, deleted with it",
    ("files", "upload"): "a file in a volume: deleted with the volume",
    ("files", "create_directory"): "a folder in a volume: deleted with the volume",
    ("genie", "start_conversation"): "a conversation in a Genie space: part of the space",
    ("genie", "create_message"): "a message in a Genie conversation: part of the space",
    ("genie", "create_message_comment"): "a comment on a Genie message: part of the space",
    ("knowledge_assistants", "create_knowledge_source"): "a knowledge source of an assistant: deleted with it",
    ("knowledge_assistants", "create_example"): "an example of an assistant: deleted with it",
    ("supervisor_agents", "create_tool"): "a tool of a supervisor agent: deleted with it",
    ("supervisor_agents", "create_example"): "an example of a supervisor agent: deleted with it",
    ("experiments", "create_run"): "a run in an experiment: deleted with it",
    ("experiments", "restore_run"): "a run in an experiment: deleted with it",
    ("experiments", "restore_runs"): "runs in an experiment: deleted with it",
    ("experiments", "create_logged_model"): "a logged model in an experiment: deleted with it",
    ("experiments", "create_issue"): "an issue in an experiment: deleted with it",
    ("experiments", "restore_experiment"): "restores a soft-deleted experiment: ensure_experiment registers it",
    ("model_registry", "create_model_version"): "a version of a registered model: deleted with the model",
    ("model_registry", "create_comment"): "a comment on a model version: deleted with the model",
    ("model_registry", "create_transition_request"): "a request on a model version: deleted with the model",
    ("lakeview", "publish"): "the published copy of a dashboard: deleted with it",
    ("lakeview", "create_schedule"): "a schedule of a dashboard: deleted with it",
    ("lakeview", "create_subscription"): "a subscription to a dashboard's schedule: deleted with it",
    ("serving_endpoints", "put"): "rate limits of an endpoint: part of it",
    ("serving_endpoints", "put_ai_gateway"): "the AI gateway settings of an endpoint: part of it",
    ("secrets", "put_secret"): "a secret in a scope: deleted with the scope",
    ("secrets", "put_acl"): "an access rule of a scope: deleted with the scope",
    ("table_constraints", "create"): "a constraint of a table: deleted with it",
    ("data_quality", "create_refresh"): "a refresh of a monitor: part of it",
    ("command_execution", "create"): "an execution context on a cluster: gone when the cluster stops",
    ("libraries", "install"): "a library on a cluster: part of the cluster",
}


def create_like(method: str) -> bool:
    return method.split("_")[0] in CREATE_VERBS


def generate() -> list[dict]:
    """Every create-like call of the installed databricks-sdk's WorkspaceClient services."""
    import inspect

    from databricks.sdk import WorkspaceClient

    call = re.compile(r'self\._api\.do\(\s*"(POST|PUT|PATCH)",\s*f?"((?:[^"{]|\{[^}]*\})+)"', re.S)
    found = []
    for service, prop in inspect.getmembers(WorkspaceClient, lambda m: isinstance(m, property)):
        cls = prop.fget.__annotations__.get("return")
        if not inspect.isclass(cls):
            continue
        for name, _ in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or not create_like(name):
                continue
            # A mixin (FilesExt, say) may override the generated method: read every definition.
            sources = [inspect.getsource(k.__dict__[name]) for k in cls.__mro__ if name in k.__dict__]
            paths = {(http, path) for source in sources for http, path in call.findall(source)}
            found += [{"service": service, "method": name, "http": http, "path": path,
                       "fate": fate(service, name, http, path)} for http, path in paths]
    return sorted(found, key=lambda c: (c["service"], c["method"], c["path"]))


def fate(service: str, method: str, http: str, path: str) -> str:
    """`tracked: <kind>`, `part of a parent` or `refused` (the generated file records it, so the
    compiler can read it without importing the runtime)."""
    from . import kinds

    found = kinds.kind_for_call(http, re.sub(r"\{[^}]*\}", "x", path))
    if found is not None:
        return f"tracked: {found[0].name}"
    return "part of a parent" if (service, method) in PART_OF else "refused"


def render(calls: list[dict]) -> str:
    """sdk_creates.py: a Python module, so the build ships it with the rest of the runtime."""
    lines = ['"""Generated by `python -m stage_runtime.surface --write` from the installed databricks-sdk: every',
             'create-like call of its WorkspaceClient services (see surface.py). Do not edit."""', "", "CALLS = ["]
    lines += [f"    {json.dumps(c, sort_keys=True)}," for c in calls]
    return "\n".join(lines + ["]", ""])


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, dict]]:
    from .sdk_creates import CALLS

    return [(re.compile(_to_regex(c["path"])), c) for c in CALLS]


def _to_regex(path: str) -> str:
    """An SDK path template as a regex: `{x}` one segment, a helper call over a path many."""
    parts = re.split(r"(\{[^}]*\})", path)
    return "".join(("(.+)" if "(" in p else "([^/]+)") if p.startswith("{") else re.escape(p) for p in parts)


def calls_for(method: str, path: str) -> list[dict]:
    """The create-like SDK calls that send `method` to `path`."""
    method = (method or "").upper()
    return [c for regex, c in _patterns() if c["http"] == method and regex.fullmatch(path)]


def refused(method: str, path: str) -> dict | None:
    """The SDK call this request is, when it is create-like, not tracked and not part of a parent."""
    return next((call for call in calls_for(method, path) if call["fate"] == "refused"), None)


if __name__ == "__main__":
    import sys

    listed = generate()
    if "--write" in sys.argv:
        with open(DATA_FILE, "w", encoding="utf-8") as handle:
            handle.write(render(listed))
    print(f"{len(listed)} create-like calls in the installed databricks-sdk")
