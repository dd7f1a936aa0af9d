"""What proves that a resource is this deployment's: the evidence model (see README.md).

A resource is ours only by evidence, never by its name:
1. the id our create call returned (the tracker registers it the moment the call answers);
2. the intent's marker: a random token the tracker writes into the create request, where the API
   keeps one (a tag, a property, an idempotency token), and reads back from the object. It settles a
   create whose answer was lost: a retried create (429/5xx), a timeout, a process killed mid-call;
3. for kinds with unique names and no place for a marker: the name was free when the intent was
   recorded (checked just before the create was sent), and the API reports that our principal
   created the object, no earlier than that check. Kinds whose API reports no creator cannot be
   proven this way: such an object is reported and left alone.
What was found rather than created (a 409, a lookup) is `adopted`: kept by cleanup unless the
operator names it. A name-identified resource (a catalog, an app) is also fingerprinted when
registered (its unique id or creation time), and cleanup deletes it only if the object now under
that name still matches: a colleague's object made after ours was removed is never touched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Callable

from .lookups import Found, dig

MARKER_KEY = "uc_state_intent"
CLOCK_SKEW_MS = 60_000  # allowed difference between this machine's clock and the workspace's


@dataclass(frozen=True)
class Marker:
    """Where a create request carries the intent's token, and where the object shows it."""

    put: Callable[[dict, str], None]  # writes the token into the request body (in place)
    read: Callable[[dict], str | None]  # the token an object carries, if any
    visible: bool = True  # False: the platform deduplicates on it, but objects do not show it

    def carries(self, data: dict, token: str) -> bool:
        return bool(token) and self.read(data) == token


def new_token() -> str:
    return uuid.uuid4().hex


def map_tag(request_field: str, *object_fields: str) -> Marker:
    """A string map: jobs' and pipelines' `tags`, UC `properties`, clusters' `custom_tags`."""
    def put(body: dict, token: str) -> None:
        tags = body.get(request_field)
        body[request_field] = {**(tags if isinstance(tags, dict) else {}), MARKER_KEY: token}

    def read(data: dict) -> str | None:
        for field in object_fields or (request_field,):
            tags = dig(data, field)
            if isinstance(tags, dict) and tags.get(MARKER_KEY):
                return str(tags[MARKER_KEY])
        return None

    return Marker(put, read)


def list_tag(request_field: str, *object_fields: str) -> Marker:
    """A list of {key, value}: experiments', endpoints' and Lakebase instances' tags; a dotted
    request field reaches into a nested object (a warehouse's `tags.custom_tags`)."""
    def put(body: dict, token: str) -> None:
        *parents, last = request_field.split(".")
        holder = body
        for part in parents:
            if not isinstance(holder.get(part), dict):
                holder[part] = {}
            holder = holder[part]
        tags = [t for t in (holder.get(last) or []) if isinstance(t, dict) and t.get("key") != MARKER_KEY]
        holder[last] = tags + [{"key": MARKER_KEY, "value": token}]

    def read(data: dict) -> str | None:
        for field in object_fields or (request_field,):
            for tag in dig(data, field) or []:
                if isinstance(tag, dict) and tag.get("key") == MARKER_KEY and tag.get("value"):
                    return str(tag["value"])
        return None

    return Marker(put, read)


def request_field(name: str) -> Marker:
    """A token the platform itself deduplicates on (jobs/runs/submit's `idempotency_token`): a
    re-sent request returns the first run instead of a second one. Objects do not show it."""
    def put(body: dict, token: str) -> None:
        body.setdefault(name, token)

    return Marker(put, lambda data: None, visible=False)


# ---- proofs ------------------------------------------------------------------------------------
def proof(kind, intent: dict, found: Found, principal: str | None) -> str | None:
    """Why `found` is the object this intent's create made, or None when nothing proves it.
    `intent` is the evidence the tracker recorded before sending the create."""
    token = intent.get("marker")
    if kind.marker is not None and token:
        return "it carries the intent's marker" if kind.marker.carries(found.data, token) else None
    checked = intent.get("absent_ms")
    if not (kind.unique_names and checked is not None):
        return None
    if found.creator is None or principal is None or found.creator != principal:
        return None
    if found.created_ms is not None and found.created_ms < int(checked) - CLOCK_SKEW_MS:
        return None
    return "its name was free just before our create, and the workspace says we created it"


def fingerprint(kind, data: dict) -> dict:
    """What tells this object apart from a later one of the same name: its unique id and creation
    time, where the API reports them."""
    out = {}
    if kind.uid_field and dig(data, kind.uid_field) not in (None, ""):
        out["uid"] = str(dig(data, kind.uid_field))
    found = kind.fields.found(data, default_identity="-")
    if found is not None and found.created_ms is not None:
        out["created_ms"] = found.created_ms
    return out


def same_object(recorded: dict, live: dict) -> bool:
    """A recorded fingerprint matches the live one on every field both know."""
    common = set(recorded) & set(live)
    return all(str(recorded[k]) == str(live[k]) for k in common)


def describe(evidence: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(evidence.items()) if k != "request") or "none"


def principal_of(workspace: Any) -> str | None:
    try:
        return workspace.current_user.me().user_name or None
    except Exception:  # noqa: BLE001 - without it, creator evidence proves nothing
        return None
