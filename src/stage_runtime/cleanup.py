"""Cleanup: delete everything uc_state holds for one catalog, in the registry's order.

- The catalog cleaned is the one passed in (the cleanup job's CATALOG parameter).
- "Already gone" (NotFound) counts as success; a row is removed only once its resource is gone.
- One failure never stops the rest: the row is kept, marked `delete_failed` with the error, and
  the next run tries again.
- The catalog itself goes last, and only when everything else is gone (its drop also removes the
  state table, which lives inside it).
- `dry_run` lists what would go and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import kinds
from .state import Row


@dataclass
class Outcome:
    kind: str
    identity: str
    name: str
    result: str  # deleted | already gone | failed | would delete | kept
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
        header = ("kind", "name", "identity", "result")
        rows = [(o.kind, o.name, o.identity, o.result + (f": {o.detail}" if o.detail else "")) for o in self.outcomes]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
        line = lambda r: "  ".join(str(v).ljust(widths[i]) for i, v in enumerate(r)).rstrip()  # noqa: E731
        counts = {}
        for o in self.outcomes:
            counts[o.result] = counts.get(o.result, 0) + 1
        summary = ", ".join(f"{n} {r}" for r, n in sorted(counts.items())) or "nothing registered"
        verb = "dry run for" if self.dry_run else "cleanup of"
        return "\n".join([f"{verb} catalog {self.catalog}: {summary}", line(header),
                          line(tuple("-" * w for w in widths)), *map(line, rows)])


def _order(row: Row) -> tuple:
    kind = kinds.BY_NAME.get(row.kind)
    return (kind.order if kind else 10**6, row.kind, _newest_first(row.created_at), row.identity)


def _newest_first(stamp: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in stamp)


def _is_gone(err: Exception) -> bool:
    from databricks.sdk.errors import NotFound

    return isinstance(err, NotFound)


def run_cleanup(workspace, state, catalog: str, dry_run: bool = False) -> Report:
    report = Report(catalog, dry_run)
    rows = sorted(state.list(catalog), key=_order)
    for row in (r for r in rows if r.kind != "catalogs"):
        report.outcomes.append(_delete(workspace, state, row, dry_run))
    catalog_rows = [r for r in rows if r.kind == "catalogs"]
    if not any(r.identity == catalog for r in catalog_rows):
        catalog_rows.append(Row(catalog, "catalogs", catalog, catalog))
    for row in catalog_rows:
        if report.failed:
            report.outcomes.append(Outcome("catalogs", row.identity, row.name or row.identity, "kept",
                                           f"{len(report.failed)} resource(s) still exist; run cleanup again"))
        else:
            report.outcomes.append(_delete(workspace, state, row, dry_run, registered=row in rows))
    return report


def _delete(workspace, state, row: Row, dry_run: bool, registered: bool = True) -> Outcome:
    name = row.name or row.identity
    kind = kinds.BY_NAME.get(row.kind)
    if kind is None:
        return Outcome(row.kind, row.identity, name, "failed", f"unknown kind {row.kind!r}; delete it by hand")
    if dry_run:
        return Outcome(row.kind, row.identity, name, "would delete")
    try:
        kind.delete(workspace, row.identity, row.data())
        result, detail = "deleted", ""
    except Exception as err:  # every failure is reported; none stops the rest
        if not _is_gone(err):
            message = f"{type(err).__name__}: {err}"
            if registered:
                _safely(lambda: state.mark_failed(row.catalog, row.kind, row.identity, message))
            return Outcome(row.kind, row.identity, name, "failed", message)
        result, detail = "already gone", ""
    if registered:
        _safely(lambda: state.remove(row.catalog, row.kind, row.identity))
    return Outcome(row.kind, row.identity, name, result, detail)


def _safely(action) -> None:
    """State updates after a catalog drop may find the state table gone with it; that is fine."""
    try:
        action()
    except Exception:  # noqa: BLE001
        pass
