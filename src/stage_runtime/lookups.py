"""How the runtime finds resources on the workspace: every page of a listing, or a get by name, as
`Found` records that keep the object itself (`data`), so evidence (a marker, the creator, the
creation time, a unique id) can be read from it.

Two shapes, one per kind:
- `by_get(get, fields)`: kinds whose name is their identity (catalogs, apps, endpoints, ...): a get,
  NotFound meaning none. Some objects do not say who made them or when, but their Unity Catalog twin
  does (a synced table is a UC table, a database catalog a UC catalog): `twin` reads it.
- `by_listing(fetch, fields)`: kinds that allow duplicate names (jobs, warehouses, Genie spaces, ...):
  every page of the listing, filtered by exact name. `detail` fetches the full object of a match
  where the listing leaves out what evidence needs (a pipeline's tags).
Nothing here creates or changes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, NamedTuple


class Found(NamedTuple):
    identity: str
    name: str
    creator: str | None = None  # None: the API does not say who created it
    created_ms: int | None = None  # None: the API does not say when
    data: dict = {}  # the object as the API answered it


@dataclass(frozen=True)
class Fields:
    """Where a kind's object keeps its identity, name, creator and creation time (dotted paths)."""

    identity: str
    name: str = "name"
    creator: str | None = None
    created: str | None = None  # epoch milliseconds, or an RFC 3339 timestamp

    def found(self, data: dict, default_identity: str | None = None) -> Found | None:
        identity = dig(data, self.identity)
        if identity in (None, ""):
            identity = default_identity
        if identity in (None, ""):
            return None
        creator = dig(data, self.creator) if self.creator else None
        return Found(str(identity), str(dig(data, self.name) or ""), str(creator) if creator else None,
                     to_ms(dig(data, self.created)) if self.created else None, data)


_STEP = re.compile(r"([^.\[]+)(?:\[([^\]]*)\])?\.?")


def dig(source: Any, dotted: str) -> Any:
    """A value at a dotted path; `tags[k]` picks the value of key k from a list of {key, value}
    (the key may itself contain dots, as `mlflow.ownerEmail` does)."""
    value = source
    for field, key in _STEP.findall(dotted):
        value = value.get(field) if isinstance(value, dict) else None
        if key:
            value = next((t.get("value") for t in value or [] if isinstance(t, dict) and t.get("key") == key), None)
    return value


def to_ms(value: Any) -> int | None:
    """Epoch milliseconds from what the APIs answer: a number (ms), or an RFC 3339 string."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    try:
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def as_dict(obj: Any) -> dict:
    if hasattr(obj, "as_dict"):
        return obj.as_dict()
    return dict(obj or {})


def is_not_found(err: BaseException) -> bool:
    from databricks.sdk.errors import NotFound

    return isinstance(err, NotFound)


def by_get(get: Callable[[Any, str], Any], fields: Fields, twin: Callable[[Any, str], Any] | None = None):
    """A lookup for kinds whose name is their identity. `twin(w, name)`: the Unity Catalog object
    that reports creator and time for it, merged in under `_uc`."""
    def lookup(w, name: str) -> list[Found]:
        try:
            data = as_dict(get(w, name))
        except Exception as err:  # noqa: BLE001
            if is_not_found(err):
                return []
            raise
        if twin is not None:
            try:
                data["_uc"] = as_dict(twin(w, name))
            except Exception as err:  # noqa: BLE001 - no twin: no creator or time, which proves nothing
                if not is_not_found(err):
                    raise
        return [fields.found(data, default_identity=name)]

    return lookup


def by_listing(fetch: Callable[[Any], Iterable[Any]], fields: Fields,
               detail: Callable[[Any, Found], Any] | None = None):
    """A lookup for kinds that allow duplicate names: every page of the listing, exact names only."""
    def lookup(w, name: str) -> list[Found]:
        matches = [f for f in listing(fetch, fields)(w) if f.name == name]
        if detail is None:
            return matches
        return [fields.found({**f.data, **as_dict(detail(w, f))}) or f for f in matches]

    return lookup


def listing(fetch: Callable[..., Iterable[Any]], fields: Fields, scoped: bool = False):
    """Every item of a listing (the SDK's iterators follow page tokens) as Found records.
    `scoped`: the listing is of one catalog (`fetch(w, catalog)`), as UC schemas are listed."""
    def every(w, catalog: str = "") -> list[Found]:
        if scoped and not catalog:
            return []
        out = []
        for item in (fetch(w, catalog) if scoped else fetch(w)):
            found = fields.found(as_dict(item))
            if found is not None:
                out.append(found)
        return out

    return every


def genie_spaces(w) -> Iterable[Any]:
    """Genie's list answers one page at a time; follow its tokens to the end."""
    token = None
    while True:
        page = w.genie.list_spaces(page_size=100, page_token=token)
        yield from page.spaces or []
        token = page.next_page_token
        if not token:
            return


def secret_scope(w, name: str):
    for scope in w.secrets.list_scopes():
        if scope.name == name:
            return scope
    from databricks.sdk.errors import NotFound

    raise NotFound(f"secret scope {name}")


def role(w, identity: str):
    instance, _, name = identity.partition("/")
    return w.database.get_database_instance_role(instance_name=instance, name=name)
