"""Defence in depth: resources a stage created through a client the tracker never saw.

Libraries build their own clients (`mlflow.set_experiment`, model deployment helpers), so the
tracked client cannot be the only line. When a stage opens, the runtime lists one bounded page of
every registry kind that has a listing (`kinds.Kind.recent`, in parallel); when it closes, it
lists again. A resource that appeared in between, is not in uc_state, and was created by the run's
principal (where the API reports the creator) is:

- registered automatically (origin 'created', noted in the report) when its name or id carries the
  run's catalog, which every stage's resource names do by convention; or
- a failure of the stage, naming each one, when the API says the run's principal created it but
  nothing ties it to the catalog;
- a note when the API does not report a creator and nothing ties it to the catalog (it may be
  anyone's: a colleague's warehouse created meanwhile must not be adopted, nor fail the stage).

Cost: two bounded list calls per kind per stage (about 15 kinds), run eight at a time. What it
cannot see: kinds without a listing (online tables, vector search indexes, tables, functions,
quality monitors, roles, secret scopes), and resources beyond the first page of a listing.
"""

from __future__ import annotations

import re
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
    adopt: list[tuple[kinds.Kind, kinds.Found]] = field(default_factory=list)
    unexplained: list[tuple[kinds.Kind, kinds.Found]] = field(default_factory=list)
    unknown: list[tuple[kinds.Kind, kinds.Found]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _list_all(w: Any, catalog: str) -> tuple[dict[str, list[kinds.Found]], list[str]]:
    listed = [k for k in kinds.KINDS if k.recent is not None]

    def one(kind: kinds.Kind):
        try:
            return kind.name, kind.recent(w, catalog), ""
        except Exception as err:  # noqa: BLE001 - a kind we may not list is a gap, reported, not a failure
            return kind.name, [], f"could not list {kind.name}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(one, listed))
    return {name: items for name, items, _ in results}, [e for _, _, e in results if e]


def take(w: Any, catalog: str) -> Snapshot:
    listed, errors = _list_all(w, catalog)
    return Snapshot({name: {f.identity for f in items} for name, items in listed.items()}, errors)


def carries_catalog(catalog: str, *texts: str) -> bool:
    """The catalog (or its Lakebase-safe form) starts a word of the name or id."""
    forms = {catalog.lower(), re.sub(r"[^a-z0-9-]", "-", catalog.lower())}
    return any(re.search(r"(?<![a-z0-9])" + re.escape(form), text.lower()) for form in forms for text in texts if text)


def compare(w: Any, catalog: str, before: Snapshot, held: set[tuple[str, str]], pending: set[tuple[str, str]],
            principal: str | None) -> Findings:
    listed, errors = _list_all(w, catalog)
    findings = Findings(errors=before.errors + errors)
    for kind in (k for k in kinds.KINDS if k.name in listed):
        if kind.name not in before.seen:
            continue  # not listable when the stage began: nothing to compare with
        for found in listed[kind.name]:
            if found.identity in before.seen[kind.name] or (kind.name, found.identity) in held:
                continue
            if found.creator and principal and found.creator != principal:
                continue  # someone else's
            if carries_catalog(catalog, found.name, found.identity) or (kind.name, found.name) in pending:
                findings.adopt.append((kind, found))
            elif found.creator:
                findings.unexplained.append((kind, found))
            else:
                findings.unknown.append((kind, found))
    return findings
