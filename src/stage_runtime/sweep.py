"""Defence in depth: resources a stage created through a client the tracker never saw.

While a stage runs in a notebook, every databricks-sdk client of its process is tracked
(tracking.track_every_client), so what is left is a library's own HTTP client (MLflow's REST calls,
say). When a stage opens, the runtime lists every registry kind that has a listing (every page,
eight kinds at a time); when it closes, it lists again. An object that appeared in between and that
uc_state does not hold is never registered by the sweep (a listing proves nothing about who made an
object for which deployment); it is:

- a failure of the stage, naming each one, when the API reports the run's principal as its creator
  and it carries no uc_state marker (an object with a marker was made through a tracked client,
  which registered it, possibly for another deployment of the same principal);
- a note when the API does not report a creator (it may be anyone's: a colleague's warehouse
  created meanwhile must neither be adopted nor fail the stage), or reports someone else.

Cost: two full listings per listable kind per stage. What it cannot see: kinds without a listing
(tables, volumes, functions, online tables, vector search indexes, monitors, roles, secret scopes,
synced and database tables), which only a tracked client can create here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from . import kinds

WORKERS = 8


@dataclass
class Snapshot:
    seen: dict[str, set[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class Findings:
    unexplained: list[tuple[kinds.Kind, kinds.Found]] = field(default_factory=list)  # ours, unregistered
    unknown: list[tuple[kinds.Kind, kinds.Found]] = field(default_factory=list)  # creator not reported
    errors: list[str] = field(default_factory=list)


def _list_all(w: Any, catalog: str) -> tuple[dict[str, list[kinds.Found]], list[str]]:
    listed = [k for k in kinds.KINDS if k.listing is not None]

    def one(kind: kinds.Kind):
        try:
            return kind.name, kind.listing(w, catalog), ""
        except Exception as err:  # noqa: BLE001 - a kind we may not list is a gap, reported, not a failure
            return kind.name, [], f"could not list {kind.name}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(one, listed))
    return {name: items for name, items, error in results if not error}, [e for _, _, e in results if e]


def take(w: Any, catalog: str) -> Snapshot:
    listed, errors = _list_all(w, catalog)
    return Snapshot({name: {f.identity for f in items} for name, items in listed.items()}, errors)


def appeared(w: Any, catalog: str, before: Snapshot) -> tuple[list[tuple[kinds.Kind, kinds.Found]], list[str]]:
    """What exists now that did not when the stage opened."""
    listed, errors = _list_all(w, catalog)
    new = [(kind, found) for kind in kinds.KINDS if kind.name in listed and kind.name in before.seen
           for found in listed[kind.name] if found.identity not in before.seen[kind.name]]
    return new, before.errors + errors


def judge(new: list[tuple[kinds.Kind, kinds.Found]], held: set[tuple[str, str]], principal: str | None,
          errors: list[str]) -> Findings:
    findings = Findings(errors=errors)
    for kind, found in new:
        if (kind.name, found.identity) in held:
            continue
        if kind.marker is not None and kind.marker.read(found.data):
            continue  # made through a tracked client, which registered it (for this catalog or another)
        if found.creator is None:
            findings.unknown.append((kind, found))
        elif principal is not None and found.creator == principal:
            findings.unexplained.append((kind, found))
    return findings
