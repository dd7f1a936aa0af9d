"""The tracked workspace client: every resource-creating request is recorded in uc_state, as an
intent before it is sent and as a resource the moment it returns.

All databricks-sdk services of one WorkspaceClient, and `w.api_client.do(...)` itself, end in one
low-level client (`ApiClient._api_client`, the SDK's `_BaseClient`), whose `do(method, url, ...)`
sees the final method and URL whatever the caller wrote (`"post"`, a query string in the path,
`url=` instead of a path), and whose `_perform` runs once per HTTP attempt, SDK retries included.
The tracker wraps both on the client's own instance:

1. before a create is sent, an intent row (`status='pending'`, the name it is being created under,
   the request) is written; if that fails, nothing is sent;
2. when it returns, the resource's row is written and the intent row removed, before the stage's
   code sees the result; a crash between the two leaves the intent, which cleanup resolves by name;
3. when the SDK sent a create more than once (it re-sends after a client-side timeout), a kind that
   allows duplicate names is searched by name and any second copy is deleted (or, if that fails,
   registered), so no unrecorded duplicate survives;
4. a create that failed for certain (a 4xx on its only attempt) drops its intent; any other failure
   keeps it, and the resource is looked up by name at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from . import kinds


@dataclass
class Creation:
    kind: str
    name: str
    path: str
    identity: str | None = None
    registered: bool = False
    attempts: int = 0
    intent: str | None = None  # identity of the pending row
    started_ms: int = 0


@dataclass
class Hooks:
    """What the tracker asks of the stage context (which owns uc_state)."""

    record_intent: Callable[[kinds.Kind, str, dict], str]
    register: Callable[[kinds.Kind, str, dict, str | None], None]  # kind, identity, payload, intent it replaces
    forget_intent: Callable[[kinds.Kind, str], None]
    principal: Callable[[], str | None] = lambda: None


@dataclass
class Tracker:
    hooks: Hooks
    creations: list[Creation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # duplicates removed, intents resolved: for the report
    workspace: Any = None  # set by install(): the client used to look up and delete duplicates

    # -- the request life cycle ------------------------------------------------------------------
    def before(self, method: str, url: str, body: Any) -> tuple[Creation, kinds.Kind, Any] | None:
        path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
        found = kinds.kind_for_call(method or "", path)
        if found is None:
            return None
        kind, match = found
        body = body if isinstance(body, dict) else {}
        name = kind.display_name({"request": body})
        creation = Creation(kind.name, name, path, started_ms=int(time.time() * 1000))
        creation.intent = self.hooks.record_intent(kind, name, body)  # raises: nothing is sent
        self.creations.append(creation)
        return creation, kind, match

    def after(self, call, body: Any, response: Any) -> None:
        creation, kind, match = call
        body = body if isinstance(body, dict) else {}
        response = response if isinstance(response, dict) else {}
        creation.identity = kind.identity(body, response, match)
        if creation.identity is None:
            return  # the call does not reveal the id: the stage must ctx.track() it (its intent stays)
        self.hooks.register(kind, creation.identity, {"request": body, "response": response}, creation.intent)
        creation.registered, creation.intent = True, None
        if creation.attempts > 1 and not kind.unique_names:
            self._remove_duplicates(creation, kind)

    def failed(self, call, err: BaseException) -> None:
        creation, kind, _ = call
        if creation.attempts <= 1 and _refused(err):
            self.hooks.forget_intent(kind, creation.intent)
            self.creations.remove(creation)
            return
        self._resolve_now(creation, kind)  # it may exist (a timeout, or a re-sent create): look by name

    # -- ctx.track -------------------------------------------------------------------------------
    def claim(self, kind: str, identity: str, name: str = "") -> Creation | None:
        """Settle exactly the creation with this identity (or, for one whose id the call did not
        reveal, this name). A found resource settles nothing."""
        for creation in self.creations:
            if creation.kind != kind or creation.registered:
                continue
            if creation.identity == identity or (creation.identity is None and name and creation.name == name):
                creation.registered, creation.identity = True, identity
                return creation
        return None

    def unregistered(self) -> list[Creation]:
        return [c for c in self.creations if not c.registered]

    # -- duplicates and unresolved creations -----------------------------------------------------
    def _candidates(self, creation: Creation, kind: kinds.Kind, workspace) -> list[kinds.Found]:
        if kind.find is None or not creation.name:
            return []
        principal = self.hooks.principal()
        return [f for f in kind.find(workspace, creation.name)
                if f.identity != creation.identity and (f.creator is None or principal is None or f.creator == principal)]

    def _remove_duplicates(self, creation: Creation, kind: kinds.Kind) -> None:
        known = {c.identity for c in self.creations if c.kind == kind.name}
        for dup in self._candidates(creation, kind, self.workspace):
            if dup.identity in known:
                continue
            try:
                kind.delete(self.workspace, dup.identity, {})
                self.notes.append(f"deleted duplicate {kind.name} {dup.identity} ({dup.name}) left by a re-sent create")
            except Exception as err:  # noqa: BLE001 - keep it registered for cleanup instead
                self.hooks.register(kind, dup.identity, {"response": {"name": dup.name}, "duplicate": True}, None)
                self.notes.append(f"registered duplicate {kind.name} {dup.identity} (delete failed: {err})")

    def _resolve_now(self, creation: Creation, kind: kinds.Kind) -> None:
        try:
            found = [f for f in self._candidates(creation, kind, self.workspace) if f.identity]
        except Exception:  # noqa: BLE001 - cleanup will resolve the intent by name later
            return
        known = {c.identity for c in self.creations if c.kind == kind.name and c.registered}
        fresh = [f for f in found if f.identity not in known]
        if len(fresh) == 1 or (fresh and kind.unique_names):
            self.hooks.register(kind, fresh[0].identity, {"response": {"name": fresh[0].name}}, creation.intent)
            creation.identity, creation.registered, creation.intent = fresh[0].identity, True, None
            self.notes.append(f"{kind.name} {fresh[0].identity} ({fresh[0].name}) was created although the call "
                              "failed; registered")


def _refused(err: BaseException) -> bool:
    """A definite refusal: a 400, 401, 403 or 404 answer (409 means something exists already,
    which a re-sent create of ours may have made)."""
    from databricks.sdk.errors import BadRequest, NotFound, PermissionDenied, Unauthenticated

    return isinstance(err, (BadRequest, Unauthenticated, PermissionDenied, NotFound))


def install(client: Any, tracker: Tracker) -> Any:
    """Wrap the client's low-level `do` and `_perform` so the tracker sees every request and every
    attempt. Returns the client."""
    base = client.api_client._api_client
    real_do, real_perform = base.do, base._perform
    local = threading.local()

    def tracked_do(*args, **kwargs):
        method = kwargs.get("method", args[0] if args else "")
        url = kwargs.get("url", args[1] if len(args) > 1 else "")
        body = kwargs.get("body", args[4] if len(args) > 4 else None)
        call = tracker.before(method, url or "", body)
        if call is None:
            return real_do(*args, **kwargs)
        previous, local.creation = getattr(local, "creation", None), call[0]
        try:
            response = real_do(*args, **kwargs)
        except BaseException as err:
            local.creation = previous
            tracker.failed(call, err)
            raise
        local.creation = previous
        tracker.after(call, body, response)
        return response

    def counted_perform(*args, **kwargs):
        creation = getattr(local, "creation", None)
        if creation is not None:
            creation.attempts += 1
        return real_perform(*args, **kwargs)

    base.do, base._perform = tracked_do, counted_perform
    tracker.workspace = client
    return client
