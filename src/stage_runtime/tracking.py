"""The tracked workspace client: every resource-creating REST call is registered in uc_state
the moment it returns, before the stage's code sees the result.

All databricks-sdk services of one WorkspaceClient share a single ApiClient, and every call goes
through its `do(method, path, ...)`. The tracker wraps that one method on the client's own
ApiClient instance: creations through `w.jobs.create`, `w.pipelines.create`, `w.warehouses.create`,
`w.api_client.do("POST", ...)` and anything else that hits a create path of the kinds registry are
all seen, whatever SDK method the stage used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import kinds


@dataclass
class Creation:
    kind: str
    identity: str | None
    path: str
    registered: bool = False


@dataclass
class Tracker:
    """Remembers what the client created; `register` is the callback that writes uc_state."""

    register: Callable[[kinds.Kind, str, dict], None]
    creations: list[Creation] = field(default_factory=list)

    def on_call(self, method: str, path: str, body: Any, response: Any) -> None:
        kind = kinds.kind_for_call(method, path)
        if kind is None:
            return
        body = body if isinstance(body, dict) else {}
        response = response if isinstance(response, dict) else {}
        identity = kind.identity(body, response) if kind.auto else None
        creation = Creation(kind.name, identity, path)
        self.creations.append(creation)
        if kind.auto and identity is not None:
            self.register(kind, identity, {"request": body, "response": response})
            creation.registered = True

    def claim(self, kind: str, identity: str) -> None:
        """ctx.track() was called: settle the oldest unregistered creation of that kind."""
        for creation in self.creations:
            if creation.kind == kind and not creation.registered:
                creation.registered, creation.identity = True, identity
                return

    def unregistered(self) -> list[Creation]:
        return [c for c in self.creations if not c.registered]


def install(client: Any, tracker: Tracker) -> Any:
    """Wrap the client's ApiClient.do so the tracker sees every call. Returns the client."""
    api = client.api_client
    real_do = api.do

    def tracked_do(method, path=None, *args, **kwargs):
        response = real_do(method, path, *args, **kwargs)
        if path:
            tracker.on_call(method, path, kwargs.get("body"), response)
        return response

    api.do = tracked_do
    return client
