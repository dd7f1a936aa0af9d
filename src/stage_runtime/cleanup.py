"""Cleanup: delete what the project created for one catalog, in the registry's order, and only that.

- The catalog cleaned is the one passed in (the cleanup job's CATALOG parameter), compared as a
  whole name. A catalog that uc_state has never seen is left alone, and the report says so.
- Rows the project created (origin 'created') are deleted; before a name-identified one (a catalog,
  an app) is deleted, the object now under that name must still be the one registered (its unique
  id or creation time): a colleague's object that took the name later is left alone.
- Rows it only found (origin 'adopted') are kept, unless named in `delete_adopted`.
- An intent row (a create that was sent but never settled) is resolved with the evidence recorded
  before the create (evidence.py): the object proven to be what it made is deleted; an object of
  that name that nothing proves ours is reported and left alone. Never by name alone.
- A catalog goes last, only once everything else registered is gone, and only if every schema in it
  is one uc_state holds (or one the platform makes with every catalog). A schema goes only if all it
  holds was made by this principal (the API reports a creator for every Unity Catalog object: the
  tables the stages' jobs and pipelines write are not registered one by one). Otherwise it is kept
  and what holds it is named.
- "Already gone" is every answer a workspace gives for a deleted resource, so a second cleanup
  converges. A row is removed only once its resource is gone (or proven not ours); a failure keeps
  it, marked `delete_failed`, and never stops the rest.
- `dry_run` lists what would happen and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import evidence as ev
from . import kinds
from .state import DEFAULT_SCHEMA, Row

SYSTEM_SCHEMA = "information_schema"
PLATFORM_SCHEMA = "default"  # Unity Catalog makes it with every catalog


@dataclass
class Outcome:
    kind: str
    identity: str
    name: str
    result: str  # deleted | already gone | failed | would delete | kept | left alone | nothing found
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


@dataclass
class _Run:
    workspace: object
    state: object
    report: Report
    delete_adopted: frozenset[str]
    state_schema: str
    principal: str | None = None

    @property
    def dry_run(self) -> bool:
        return self.report.dry_run


def run_cleanup(workspace, state, catalog: str, dry_run: bool = False,
                delete_adopted: frozenset[str] = frozenset(), state_schema: str = DEFAULT_SCHEMA) -> Report:
    report = Report(catalog, dry_run)
    rows = sorted((r for r in state.list(catalog) if r.catalog == catalog), key=_order)
    run = _Run(workspace, state, report, delete_adopted, state_schema)
    if rows:
        run.principal = ev.principal_of(workspace)
    for row in (r for r in rows if r.kind != "catalogs"):
        report.outcomes += _one(run, row)
    for row in (r for r in rows if r.kind == "catalogs"):
        report.outcomes += _catalog(run, row, rows)
    return report


def _one(run: _Run, row: Row) -> list[Outcome]:
    if row.pending:
        return _resolve_intent(run, row)
    if row.origin == "adopted" and not _named(run, row):
        return [_kept_adopted(row)]
    return [_delete(run, row)]


def _named(run: _Run, row: Row) -> bool:
    return row.identity in run.delete_adopted or (bool(row.name) and row.name in run.delete_adopted)


def _kept_adopted(row: Row) -> Outcome:
    return Outcome(row.kind, row.identity, row.name or row.identity, "kept",
                   "adopted: it existed before the project found it; name it in DELETE_ADOPTED to delete it")


def _catalog(run: _Run, row: Row, rows: list[Row]) -> list[Outcome]:
    if row.pending:
        return _resolve_intent(run, row)
    name = row.name or row.identity
    explicit = _named(run, row)
    if row.origin == "adopted" and not explicit:
        return [_kept_adopted(row)]
    if run.report.failed:
        return [Outcome("catalogs", row.identity, name, "kept",
                        f"{len(run.report.failed)} resource(s) still exist; run cleanup again")]
    if not explicit:
        holds = _foreign_contents(run, row.identity, rows)
        if holds:
            return [Outcome("catalogs", row.identity, name, "kept", holds)]
    return [_delete(run, row)]


def _foreign_contents(run: _Run, catalog: str, rows: list[Row]) -> str:
    """What in the catalog the project did not make (or what cannot be listed), as a reason to keep
    it: a schema uc_state does not hold (besides those the platform makes with every catalog, and the
    state's own), or anything a registered schema holds that the API says someone else created."""
    w = run.workspace
    try:
        schemas = [s for s in w.schemas.list(catalog_name=catalog) if s.name != SYSTEM_SCHEMA]
    except Exception as err:  # noqa: BLE001
        return "" if kinds.BY_NAME["catalogs"].gone(err) else f"cannot list its schemas: {err}"
    held = {r.identity for r in rows if r.kind == "schemas" and r.origin == "created"}
    ours = {run.state_schema, PLATFORM_SCHEMA}
    foreign = [s.full_name for s in schemas if s.full_name not in held and s.name not in ours]
    for schema in (s for s in schemas if s.name == PLATFORM_SCHEMA or s.full_name in held):
        foreign += _foreign_in_schema(run, catalog, schema.name)
    return ("it holds what the project did not create: " + ", ".join(sorted(foreign))) if foreign else ""


def _foreign_in_schema(run: _Run, catalog: str, schema: str) -> list[str]:
    w = run.workspace
    listings = (lambda: w.tables.list(catalog_name=catalog, schema_name=schema),
                lambda: w.volumes.list(catalog_name=catalog, schema_name=schema),
                lambda: w.functions.list(catalog_name=catalog, schema_name=schema),
                lambda: w.registered_models.list(catalog_name=catalog, schema_name=schema))
    foreign = []
    for listing in listings:
        try:
            foreign += [f"{o.full_name} (by {o.created_by})" for o in listing() if _not_ours(run, o.created_by)]
        except Exception as err:  # noqa: BLE001 - a listing the stand-in or the caller lacks proves nothing
            if not kinds.is_not_found(err) and "not implemented" not in str(err).lower():
                foreign.append(f"{catalog}.{schema} (its contents cannot be listed: {type(err).__name__})")
    return foreign


def _not_ours(run: _Run, creator: str | None) -> bool:
    """The API names another creator. (Unity Catalog reports one for every object.)"""
    return bool(creator) and run.principal is not None and creator != run.principal


def _resolve_intent(run: _Run, row: Row) -> list[Outcome]:
    """A create that was sent but never settled: find what it made by its evidence, and delete that."""
    kind = kinds.BY_NAME.get(row.kind)
    data = row.data()
    key = data.get("lookup") or row.name
    if kind is None or kind.lookup is None or not key:
        detail = "no way to look this kind up; check the workspace by hand" if kind else "unknown kind"
        return [Outcome(row.kind, row.identity, row.name, "failed", detail)]
    try:
        candidates = kind.lookup(run.workspace, key)
    except Exception as err:  # noqa: BLE001
        return [Outcome(row.kind, row.identity, row.name, "failed", f"cannot look it up: {err}")]
    outcomes = []
    registered = {r.identity for r in run.state.list(row.catalog, row.kind) if not r.pending}
    for found in (f for f in candidates if f.identity not in registered):  # those have rows of their own
        why = ev.proof(kind, data.get("evidence") or {}, found, run.principal)
        if not why:
            outcomes.append(Outcome(row.kind, found.identity, found.name or key, "left alone",
                                    "an interrupted create of this name was recorded, but nothing proves this "
                                    "object is what it made"))
            continue
        target = Row(row.catalog, row.kind, found.identity, found.name)
        outcome = _delete(run, target, registered=False)
        outcome.detail = "; ".join(filter(None, [outcome.detail, f"made by an interrupted create: {why}"]))
        outcomes.append(outcome)
    if not any(o.result == "failed" for o in outcomes):
        if not run.dry_run:
            _safely(lambda: run.state.remove(row.catalog, row.kind, row.identity))
        if not outcomes:
            outcomes.append(Outcome(row.kind, row.identity, row.name, "nothing found",
                                    "an interrupted create that made nothing"))
    return outcomes


def _delete(run: _Run, row: Row, registered: bool = True) -> Outcome:
    name = row.name or row.identity
    kind = kinds.BY_NAME.get(row.kind)
    if kind is None:
        return Outcome(row.kind, row.identity, name, "failed", f"unknown kind {row.kind!r}; delete it by hand")
    replaced = _replaced(run, kind, row) if registered else ""
    if replaced:
        if not run.dry_run:
            _safely(lambda: run.state.remove(row.catalog, row.kind, row.identity))
        return Outcome(row.kind, row.identity, name, "left alone", replaced)
    if kind.name == "schemas" and not _named(run, row):
        catalog, _, schema = row.identity.partition(".")
        foreign = _foreign_in_schema(run, catalog, schema)
        if foreign:
            return Outcome(row.kind, row.identity, name, "kept", "it holds what the project did not create: "
                           + ", ".join(sorted(foreign)))
    if run.dry_run:
        return Outcome(row.kind, row.identity, name, "would delete")
    try:
        kind.delete(run.workspace, row.identity, row.data())
        result = "deleted"
    except Exception as err:  # every failure is reported; none stops the rest
        if not kind.gone(err):
            message = f"{type(err).__name__}: {err}"
            if registered:
                _safely(lambda: run.state.mark_failed(row.catalog, row.kind, row.identity, message))
            return Outcome(row.kind, row.identity, name, "failed", message)
        result = "already gone"
    if registered:
        _safely(lambda: run.state.remove(row.catalog, row.kind, row.identity))
    return Outcome(row.kind, row.identity, name, result)


def _replaced(run: _Run, kind: kinds.Kind, row: Row) -> str:
    """For a name-identified row: why the object now under that name is not the registered one, or ''."""
    recorded = (row.data().get("evidence") or {}) if row.payload else {}
    fingerprint = {k: recorded[k] for k in ("uid", "created_ms") if k in recorded}
    if not kind.identity_is_name or not fingerprint or kind.lookup is None:
        return ""
    try:
        live = [f for f in kind.lookup(run.workspace, row.identity) if f.identity == row.identity]
    except Exception:  # noqa: BLE001 - the delete itself will say what is wrong
        return ""
    if live and not ev.same_object(fingerprint, ev.fingerprint(kind, live[0].data)):
        return (f"the {kind.name[:-1]} now named {row.identity} is not the one this project created "
                f"(recorded {ev.describe(fingerprint)}, now {ev.describe(ev.fingerprint(kind, live[0].data))}); ours "
                "is gone and this one is someone else's")
    return ""


def _safely(action) -> None:
    """State updates after a catalog drop may find the state table gone with it; that is fine."""
    try:
        action()
    except Exception:  # noqa: BLE001
        pass
