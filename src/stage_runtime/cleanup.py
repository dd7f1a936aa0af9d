"""Cleanup: delete what the project created for one catalog, in the registry's order, and only that.

- The catalog cleaned is the one passed in (the cleanup job's CATALOG parameter). A catalog that
  uc_state has never seen is left alone: nothing is deleted, and the report says so.
- Rows the project created (origin 'created') are deleted. Rows it only found (origin 'adopted':
  a catalog that already existed, say) are kept, unless named in `delete_adopted`.
- An intent row (a create that was sent but never completed, e.g. the task was killed) is resolved
  by name: the resources of that kind and name, made by this principal no earlier than the intent,
  are deleted.
- "Already gone" is every answer a workspace gives for a deleted resource (per kind: 404, and the
  Jobs API's 400 "Job N does not exist"), so a second cleanup converges. A row is removed only once
  its resource is gone; a failure keeps it, marked `delete_failed`, and never stops the rest.
- The catalog goes last, only if the project created it, everything else is gone, and it holds no
  schema the project did not create (those are reported and the catalog kept).
- `dry_run` lists what would happen and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import kinds
from .state import DEFAULT_SCHEMA, Row

INTENT_SKEW_MS = 60_000  # clock difference allowed between this machine and the workspace
SYSTEM_SCHEMA = "information_schema"


@dataclass
class Outcome:
    kind: str
    identity: str
    name: str
    result: str  # deleted | already gone | failed | would delete | kept | nothing found
    detail: str = ""


@dataclass
class Report:
    catalog: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "failed"]

    def table(self) -> str:
        verb = "dry run for" if self.dry_run else "cleanup of"
        if not self.outcomes:
            return f"{verb} catalog {self.catalog}: nothing is registered for it in uc_state; nothing changed"
        header = ("kind", "name", "identity", "result")
        rows = [(o.kind, o.name, o.identity, o.result + (f": {o.detail}" if o.detail else "")) for o in self.outcomes]
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.result] = counts.get(o.result, 0) + 1
        summary = ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))
        return f"{verb} catalog {self.catalog}: {summary}\n" + table(header, rows)


def table(header: tuple, rows: list[tuple]) -> str:
    """A plain-text table: columns padded, a rule under the header. (The one table formatter: the
    local commands print theirs with it too.)"""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(str(v).ljust(widths[i]) for i, v in enumerate(row)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def _order(row: Row) -> tuple:
    kind = kinds.BY_NAME.get(row.kind)
    return (kind.order if kind else 10**6, row.kind, _newest_first(row.created_at), row.identity)


def _newest_first(stamp: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in stamp)


def run_cleanup(workspace, state, catalog: str, dry_run: bool = False,
                delete_adopted: frozenset[str] = frozenset(), state_schema: str = DEFAULT_SCHEMA) -> Report:
    report = Report(catalog, dry_run)
    rows = sorted(state.list(catalog), key=_order)
    principal = None
    for row in (r for r in rows if r.kind != "catalogs"):
        if row.pending:
            if principal is None:
                principal = _me(workspace)
            report.outcomes += _resolve_intent(workspace, state, row, dry_run, principal)
        elif row.origin == "adopted" and row.identity not in delete_adopted and row.name not in delete_adopted:
            report.outcomes.append(_kept_adopted(row))
        else:
            report.outcomes.append(_delete(workspace, state, row, dry_run))
    for row in (r for r in rows if r.kind == "catalogs"):
        report.outcomes.append(_catalog(workspace, state, row, rows, report, dry_run, delete_adopted, state_schema))
    return report


def _kept_adopted(row: Row) -> Outcome:
    return Outcome(row.kind, row.identity, row.name or row.identity, "kept",
                   "adopted: it existed before the project found it; name it in DELETE_ADOPTED to delete it")


def _catalog(workspace, state, row: Row, rows: list[Row], report: Report, dry_run: bool,
             delete_adopted: frozenset[str], state_schema: str) -> Outcome:
    name = row.name or row.identity
    explicit = row.identity in delete_adopted
    if row.origin == "adopted" and not explicit:
        return _kept_adopted(row)
    if report.failed:
        return Outcome("catalogs", row.identity, name, "kept",
                       f"{len(report.failed)} resource(s) still exist; run cleanup again")
    if not explicit:
        ours = {r.identity for r in rows if r.kind == "schemas"}
        try:
            foreign = sorted(s.full_name for s in workspace.schemas.list(catalog_name=row.identity)
                             if s.name not in (SYSTEM_SCHEMA, state_schema) and s.full_name not in ours)
        except Exception as err:  # noqa: BLE001
            if not kinds.BY_NAME["catalogs"].gone(err):
                return Outcome("catalogs", row.identity, name, "failed", f"cannot list its schemas: {err}")
            foreign = []
        if foreign:
            return Outcome("catalogs", row.identity, name, "kept",
                           "it holds schemas the project did not create: " + ", ".join(foreign))
    return _delete(workspace, state, row, dry_run)


def _resolve_intent(workspace, state, row: Row, dry_run: bool, principal: str | None) -> list[Outcome]:
    """A create that was sent but never completed: find what it made by name, and delete that."""
    kind = kinds.BY_NAME.get(row.kind)
    if kind is None or kind.find is None or not row.name:
        detail = "no way to look this kind up by name; check the workspace by hand" if kind else "unknown kind"
        return [Outcome(row.kind, row.identity, row.name, "failed", detail)]
    since = int((row.data().get("intent_ms") or 0)) - INTENT_SKEW_MS
    try:
        found = [f for f in kind.find(workspace, row.name)
                 if (f.creator is None or principal is None or f.creator == principal)
                 and (f.created_ms is None or f.created_ms >= since)]
    except Exception as err:  # noqa: BLE001
        return [Outcome(row.kind, row.identity, row.name, "failed", f"cannot look it up by name: {err}")]
    outcomes = []
    for item in found:
        target = Row(row.catalog, row.kind, item.identity, item.name)
        outcome = _delete(workspace, state, target, dry_run, registered=False)
        outcome.detail = (outcome.detail + "; " if outcome.detail else "") + "created by an interrupted call"
        outcomes.append(outcome)
    if not any(o.result == "failed" for o in outcomes):
        if not dry_run:
            state.remove(row.catalog, row.kind, row.identity)
        if not found:
            outcomes.append(Outcome(row.kind, row.identity, row.name, "nothing found",
                                    "an interrupted create that made nothing"))
    return outcomes


def _delete(workspace, state, row: Row, dry_run: bool, registered: bool = True) -> Outcome:
    name = row.name or row.identity
    kind = kinds.BY_NAME.get(row.kind)
    if kind is None:
        return Outcome(row.kind, row.identity, name, "failed", f"unknown kind {row.kind!r}; delete it by hand")
    if dry_run:
        return Outcome(row.kind, row.identity, name, "would delete")
    try:
        kind.delete(workspace, row.identity, row.data())
        result = "deleted"
    except Exception as err:  # every failure is reported; none stops the rest
        if not kind.gone(err):
            message = f"{type(err).__name__}: {err}"
            if registered:
                _safely(lambda: state.mark_failed(row.catalog, row.kind, row.identity, message))
            return Outcome(row.kind, row.identity, name, "failed", message)
        result = "already gone"
    if registered:
        _safely(lambda: state.remove(row.catalog, row.kind, row.identity))
    return Outcome(row.kind, row.identity, name, result)


def _me(workspace) -> str | None:
    try:
        return workspace.current_user.me().user_name
    except Exception:  # noqa: BLE001 - without it, name lookups match any creator
        return None


def _safely(action) -> None:
    """State updates after a catalog drop may find the state table gone with it; that is fine."""
    try:
        action()
    except Exception:  # noqa: BLE001
        pass
