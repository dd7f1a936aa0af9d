"""The tracked workspace client: every resource-creating request is recorded in uc_state, as an
intent before it is sent and as a resource the moment it returns, with the evidence that makes it
ours (evidence.py).

All databricks-sdk services, and `w.api_client.do(...)` itself, end in one low-level client class
(the SDK's `_BaseClient`), whose `do(method, url, ...)` sees the final method and URL whatever the
caller wrote, and whose `_perform` runs once per HTTP attempt, SDK retries included. The tracker
wraps both, on the class, once: a client is tracked when its instance is tied to a tracker
(`install`, what `ctx.workspace` is), and, while a stage runs in a notebook, every client of the
process is (`track_every_client`: a helper module's or a library's own `WorkspaceClient()`).

For each create:
1. before it is sent: the intent's evidence (a marker token written into the request, or, for a
   unique name without a marker, a check that the name is free) and an intent row
   (`status='pending'`); if the row cannot be written, nothing is sent;
2. when it returns: the resource's row with the id the call returned, before the stage's code sees
   the result; the intent row goes;
3. before the SDK re-sends it (a 5xx, a timeout): its earlier attempt is looked for by marker and,
   if found, taken as the answer: nothing is sent twice. A duplicate-name kind with no marker is not
   re-sent at all (a second copy could not be told from a colleague's);
4. when it fails: if no attempt can have created anything (4xx answers, 429s), the intent goes;
   otherwise the object is looked for with the intent's evidence and registered if proven; a 409
   with nothing proven is someone else's and left alone; anything else keeps the intent for cleanup.
Nothing is ever deleted or registered by its name alone. After the stage, `seal` refuses every
create (threads, atexit handlers): nothing could register it any more.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from . import evidence as ev
from . import kinds


class RegistrationError(RuntimeError):
    """A resource was created but could not be recorded in uc_state, was left unregistered, or a
    create was refused because it could not be."""


@dataclass
class Creation:
    kind: str
    name: str  # display name
    key: str  # what kinds.Kind.lookup takes
    path: str
    evidence: dict = field(default_factory=dict)  # recorded before the first send
    identity: str | None = None
    registered: bool = False
    attempts: int = 0
    errors: list = field(default_factory=list)  # one per failed attempt
    intent: str | None = None  # identity of the pending row
    failed: bool = False  # the call raised; its intent (if kept) is cleanup's to resolve


@dataclass
class Hooks:
    """What the tracker asks of the stage context (which owns uc_state)."""

    record_intent: Callable[[kinds.Kind, str, dict, dict, str], str]  # kind, name, request, evidence, lookup key
    register: Callable[[kinds.Kind, str, dict, str | None], None]  # kind, identity, payload, intent it replaces
    forget_intent: Callable[[kinds.Kind, str], None]
    principal: Callable[[], str | None] = lambda: None
    workspace: Callable[[], Any] = lambda: None  # the stage's client, for lookups (built on first use)


class _EarlierAttempt(Exception):
    """Raised inside the SDK's retry loop: the create's earlier attempt made the object."""

    def __init__(self, found: kinds.Found):
        super().__init__("earlier attempt found")
        self.found = found


class _NotResent(Exception):
    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


@dataclass
class Tracker:
    hooks: Hooks
    creations: list[Creation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the tracker did or left alone: for the report
    workspace: Any = None  # set by install(): the client used for lookups
    # Called at each step of a create ("intent", "answered", "registered"): the crash tests kill the
    # process there, to show that every interruption is settled by evidence.
    checkpoint: Callable[[str], None] = lambda step: None

    # -- the request life cycle ------------------------------------------------------------------
    def before(self, method: str, url: str, body: Any) -> tuple[Creation, kinds.Kind, Any] | None:
        path = request_path(method, url)
        found = kinds.kind_for_call(method or "", path)
        if found is None:
            _refuse_untrackable(method, path)
            return None
        kind, match = found
        body = body if isinstance(body, dict) else {}
        creation = Creation(kind.name, kind.display_name({"request": body}), kind.lookup_name(body, match), path)
        creation.evidence = self._evidence_before(kind, creation.key, body)
        creation.intent = self.hooks.record_intent(kind, creation.name, body, creation.evidence,
                                                   creation.key)  # raises: nothing is sent
        self.creations.append(creation)
        self.checkpoint("intent")
        return creation, kind, match

    def _evidence_before(self, kind: kinds.Kind, key: str, body: dict) -> dict:
        if kind.marker is not None:
            token = ev.new_token()
            kind.marker.put(body, token)
            return {"marker": token}
        if kind.unique_names and kind.lookup is not None and kind.fields.creator and key:
            try:
                taken = kind.lookup(self._client(), key)
            except Exception:  # noqa: BLE001 - unknown: nothing will prove the object ours later
                return {}
            return {"taken": True} if taken else {"absent_ms": int(time.time() * 1000)}
        return {}

    def after(self, call, body: Any, response: Any, how: str = "the id our create returned") -> None:
        creation, kind, match = call
        body = body if isinstance(body, dict) else {}
        response = response if isinstance(response, dict) else {}
        creation.identity = kind.identity(body, response, match)
        if creation.identity is None:
            return  # the call does not reveal the id: the stage must ctx.track() it (its intent stays)
        proof = {**creation.evidence, "how": how, **ev.fingerprint(kind, response)}
        self.hooks.register(kind, creation.identity, {"request": body, "response": response, "evidence": proof},
                            creation.intent)
        creation.registered, creation.intent = True, None
        if creation.attempts > 1 and kind.marker is not None:
            self._settle_marked_copies(creation, kind)

    def failed(self, call, err: BaseException) -> None:
        creation, kind, _ = call
        creation.failed = True
        if not any(_maybe_made(e) for e in [*creation.errors, err]):
            self.hooks.forget_intent(kind, creation.intent)  # no attempt can have created anything
            self.creations.remove(creation)
            return
        if self._resolve_now(creation, kind):
            return
        if _status(err) == 409:  # the name is taken by an object nothing proves ours
            self.hooks.forget_intent(kind, creation.intent)
            self.creations.remove(creation)
            self.notes.append(f"{kind.name} {creation.name!r}: the create was answered 409 after a retry, and "
                              "nothing proves the existing object is ours; left alone")
            return
        self.notes.append(f"{kind.name} {creation.name!r}: the create failed ({type(err).__name__}) after an attempt "
                          "that may have made it, and nothing proves an object ours yet; its intent stays in uc_state "
                          "for cleanup, which looks again with the same evidence")

    def _client(self) -> Any:
        return self.workspace if self.workspace is not None else self.hooks.workspace()

    # -- the wrapped SDK calls --------------------------------------------------------------------
    def send(self, hub, client, args, kwargs):
        """One `do` of the SDK's client: a create is recorded around the call."""
        method = kwargs.get("method", args[0] if args else "")
        url = kwargs.get("url", args[1] if len(args) > 1 else "") or ""
        body = kwargs.get("body", args[4] if len(args) > 4 else None)
        if hub.sealed:
            _refuse_sealed(method, url, hub.sealed)
        call = self.before(method, url, body)
        if call is None:
            return hub.real_do(client, *args, **kwargs)
        previous, hub.local.creation = getattr(hub.local, "creation", None), call[0]
        try:
            response = hub.real_do(client, *args, **kwargs)
        except _EarlierAttempt as earlier:
            self.after(call, body, earlier.found.data, how="it carries the intent's marker")
            self.notes.append(f"{call[1].name} {earlier.found.identity}: a retried create found what its earlier "
                              "attempt made (by its marker) and was not sent again")
            return earlier.found.data
        except _NotResent as stopped:
            self.failed(call, stopped.error)
            self.notes.append(f"{call[1].name} {call[0].name!r}: not re-sent after {type(stopped.error).__name__} "
                              "(nothing could tell a second copy from someone else's)")
            raise stopped.error from None
        except BaseException as err:
            self.failed(call, err)
            raise
        finally:
            hub.local.creation = previous
        self.checkpoint("answered")
        self.after(call, body, response)
        return response

    def attempt(self, hub, creation: Creation, client, args, kwargs):
        """One HTTP attempt of a create (the SDK retries inside `do`)."""
        creation.attempts += 1
        if creation.attempts > 1:
            hub.local.creation = None  # the lookups below are not attempts of this create
            try:
                self.before_resend(creation)
            finally:
                hub.local.creation = creation
        try:
            return hub.real_perform(client, *args, **kwargs)
        except BaseException as err:
            creation.errors.append(err)
            raise

    # -- retries ---------------------------------------------------------------------------------
    def before_resend(self, creation: Creation) -> None:
        """Called inside the SDK's retry loop before attempt 2, 3, ...: raise to stop the re-send."""
        last = creation.errors[-1] if creation.errors else None
        if last is not None and _status(last) == 429:
            return  # rate limited: the earlier attempt did nothing
        kind = kinds.BY_NAME[creation.kind]
        if kind.marker is not None:
            marked = self._marked(creation, kind)
            if marked:
                raise _EarlierAttempt(marked[0])
            return
        if kind.unique_names:
            return  # a second copy is impossible; a 409 will say the first attempt made it
        raise _NotResent(last or RuntimeError("the create's first attempt failed"))

    def _marked(self, creation: Creation, kind: kinds.Kind) -> list[kinds.Found]:
        token = creation.evidence.get("marker")
        if not token or kind.lookup is None:
            return []
        return [f for f in kind.lookup(self._client(), creation.key) if kind.marker.carries(f.data, token)]

    def _settle_marked_copies(self, creation: Creation, kind: kinds.Kind) -> None:
        """Copies made by earlier attempts of this create carry its marker: ours, so deleted."""
        try:
            copies = [f for f in self._marked(creation, kind) if f.identity != creation.identity]
        except Exception as err:  # noqa: BLE001 - cleanup finds them by marker later only if registered
            self.notes.append(f"could not look for copies of {kind.name} {creation.name!r}: {err}")
            return
        for copy in copies:
            try:
                kind.delete(self._client(), copy.identity, {})
                self.notes.append(f"deleted {kind.name} {copy.identity} ({copy.name}): a copy made by an earlier "
                                  "attempt of the same create (it carries that create's marker)")
            except Exception as err:  # noqa: BLE001 - keep it registered for cleanup instead
                self.hooks.register(kind, copy.identity, {"response": copy.data, "evidence": {
                    **creation.evidence, "how": "it carries the intent's marker"}}, None)
                self.notes.append(f"registered {kind.name} {copy.identity}, a copy left by a retried create "
                                  f"(delete failed: {err})")

    def _resolve_now(self, creation: Creation, kind: kinds.Kind) -> bool:
        """After a failed create that may have made something: register it if evidence proves it."""
        if kind.lookup is None:
            return False
        try:
            candidates = kind.lookup(self._client(), creation.key)
        except Exception:  # noqa: BLE001 - cleanup resolves the intent later
            return False
        principal = self.hooks.principal()
        for found in candidates:
            why = ev.proof(kind, creation.evidence, found, principal)
            if why:
                proof = {**creation.evidence, "how": why, **ev.fingerprint(kind, found.data)}
                self.hooks.register(kind, found.identity, {"response": found.data, "evidence": proof},
                                    creation.intent)
                creation.identity, creation.registered, creation.intent = found.identity, True, None
                self.notes.append(f"{kind.name} {found.identity} ({found.name}) was created although the call "
                                  f"failed; registered because {why}")
                return True
        return False

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
        """Creations that answered without an id and were never ctx.track()ed."""
        return [c for c in self.creations if not c.registered and not c.failed]


def _status(err: BaseException) -> int | None:
    """The HTTP status an SDK error stands for, from its class (the SDK maps each status to one)."""
    from databricks.sdk import errors as e

    for cls, code in ((e.ResourceConflict, 409), (e.TooManyRequests, 429), (e.NotFound, 404),
                      (e.PermissionDenied, 403), (e.Unauthenticated, 401), (e.BadRequest, 400)):
        if isinstance(err, cls):
            return code
    return None


def _maybe_made(err: BaseException) -> bool:
    """Whether an attempt that failed this way may still have created the object: a 4xx answer is
    a refusal (409: something else holds the name; 429: not processed); a 5xx, a timeout or a broken
    connection may have done the work."""
    status = _status(err)
    return status is None or status >= 500


# ---- the request path ------------------------------------------------------------------------------
_ODD_PATH = re.compile(r"(^|/)\.\.?(/|$)|%2e|%2f|%5c|\\", re.I)


def request_path(method: str, url: str) -> str:
    """The path a request goes to, in the form the kinds registry matches: no query string, no
    repeated or trailing slash. A write whose path has dot segments or encoded dots and slashes is
    refused: the server may resolve it to a create the registry would not recognise."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    if (method or "").upper() not in ("GET", "HEAD") and _ODD_PATH.search(path):
        raise RegistrationError(f"{method} {path} refused: a path with dot segments or encoded separators could "
                                "reach a create that uc_state would not record; write the path plainly. Nothing was sent")
    return re.sub(r"/{2,}", "/", path).rstrip("/") or "/"


# ---- installing the wrappers -----------------------------------------------------------------------
# The wrappers go on the SDK's class once per process, and find their state on the class (`_HUB`), so
# that a second copy of this module (tests import the runtime afresh) reuses them instead of stacking
# another layer. Each call is handled by the methods of the tracker it reaches.

def _hub():
    from databricks.sdk._base_client import _BaseClient

    hub = getattr(_BaseClient, "_uc_state_hub", None)
    if hub is None:
        import types

        hub = types.SimpleNamespace(active=None, sealed="", refuse=None, local=threading.local(),
                                    real_do=_BaseClient.do, real_perform=_BaseClient._perform)
        _BaseClient.do, _BaseClient._perform = _tracked_do, _counted_perform
        _BaseClient._uc_state_hub = hub
    return hub


def install(client: Any, tracker: Tracker) -> Any:
    """Tie this client to the tracker: everything it sends is tracked. Returns the client."""
    _hub()
    client.api_client._api_client._uc_state_tracker = tracker
    tracker.workspace = client
    return client


def track_every_client(tracker: Tracker) -> None:
    """While a stage runs in a notebook: every databricks-sdk client of the process reports to
    `tracker` (a helper's or a library's own WorkspaceClient included)."""
    hub = _hub()
    hub.active, hub.sealed = tracker, ""


def seal(reason: str) -> None:
    """After the stage: every create by any client of the process is refused before it is sent."""
    hub = _hub()
    hub.active, hub.sealed, hub.refuse = None, reason, _refuse_sealed


def unseal() -> None:
    hub = _hub()
    hub.active, hub.sealed = None, ""


def _tracked_do(self, *args, **kwargs):
    hub = self._uc_state_hub
    tracker = getattr(self, "_uc_state_tracker", None) or hub.active
    if tracker is None:
        if hub.sealed:
            method = kwargs.get("method", args[0] if args else "")
            hub.refuse(method, kwargs.get("url", args[1] if len(args) > 1 else "") or "", hub.sealed)
        return hub.real_do(self, *args, **kwargs)
    return tracker.send(hub, self, args, kwargs)


def _counted_perform(self, *args, **kwargs):
    hub = self._uc_state_hub
    creation = getattr(hub.local, "creation", None)
    tracker = getattr(self, "_uc_state_tracker", None) or hub.active
    if creation is None or tracker is None:
        return hub.real_perform(self, *args, **kwargs)
    return tracker.attempt(hub, creation, self, args, kwargs)


def _refuse_untrackable(method: str, path: str) -> None:
    """A create-like SDK call no kind tracks and nothing owns (surface.py) is never sent by a stage."""
    if (method or "").upper() not in ("POST", "PUT", "PATCH"):
        return
    from .surface import refused

    call = refused(method, path)
    if call is not None:
        raise RegistrationError(
            f"{method} {path} ({call['service']}.{call['method']}) refused: it creates something uc_state has no "
            "kind for, so cleanup could never delete it; nothing was sent. Add the kind to stage_runtime/kinds.py "
            "(with its lookup and evidence), or create it outside the stages")


def _refuse_sealed(method: str, url: str, reason: str) -> None:
    path = request_path(method, url)
    if kinds.kind_for_call(method or "", path) is not None:
        raise RegistrationError(f"{method} {path} refused: {reason}; nothing was sent")
