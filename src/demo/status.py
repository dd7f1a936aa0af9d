"""What `make demo` prints while it runs: each job the stages created (runs, the last one's state),
the pipeline's tables (rows), the synced tables in Lakebase's Postgres (rows), and the refund lag:
how far the newest scored order trails the newest delivered one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TABLES = ("lakeflow.all_events", "lakeflow.silver_order_items", "lakeflow.gold_order_header",
          "recommender.refund_recommendations")


@dataclass
class Status:
    stages: dict[str, int] = field(default_factory=dict)  # stage -> objects it registered in uc_state
    jobs: list[tuple[str, int, str]] = field(default_factory=list)  # name, runs, last state
    tables: dict[str, int | None] = field(default_factory=dict)  # catalog table -> rows (None: not there yet)
    synced: dict[str, int | None] = field(default_factory=dict)  # postgres table -> rows
    newest_delivered: str | None = None
    newest_scored: str | None = None

    def lag_s(self) -> float | None:
        """Seconds of the replay between the newest delivered order and the newest scored one."""
        from datetime import datetime

        if not (self.newest_delivered and self.newest_scored):
            return None
        parse = lambda text: datetime.fromisoformat(str(text).replace("Z", "+00:00").replace(" ", "T"))  # noqa: E731
        delivered, scored = parse(self.newest_delivered), parse(self.newest_scored)
        if (delivered.tzinfo is None) != (scored.tzinfo is None):
            delivered, scored = delivered.replace(tzinfo=None), scored.replace(tzinfo=None)
        return max(0.0, (delivered - scored).total_seconds())

    def record(self) -> dict:
        """One line of build/.local/demo/status.jsonl (what a script or a test reads)."""
        return {"stages": self.stages, "jobs": [{"name": n, "runs": r, "last": s} for n, r, s in self.jobs], "tables": self.tables,
                "synced": self.synced, "newest_delivered": self.newest_delivered,
                "newest_scored": self.newest_scored, "lag_s": self.lag_s()}

    def render(self) -> str:
        import textwrap

        listed = ", ".join(f"{stage} {count}" for stage, count in self.stages.items())
        lines = [f"stages ({len(self.stages)}, objects each registered in uc_state):"]
        lines += textwrap.wrap(listed, 100, initial_indent="  ", subsequent_indent="  ")
        lines += ["jobs:"] + [f"  {name:<46} {runs:>3} run(s)  last {state}" for name, runs, state in self.jobs]
        lines += ["tables:"] + [f"  {name:<46} {_count(rows)}" for name, rows in self.tables.items()]
        lines += ["lakebase (postgres):"] + [f"  {name:<46} {_count(rows)}" for name, rows in self.synced.items()]
        lag = self.lag_s()
        lines.append(f"refund lag: newest delivered {self.newest_delivered or '-'}, newest scored "
                     f"{self.newest_scored or '-'}" + (f" ({lag:.0f} s of replay)" if lag is not None else ""))
        return "\n".join(lines)


def _count(rows: int | None) -> str:
    return "-" if rows is None else f"{rows:,} rows"


def collect(w: Any, warehouse_id: str | None, catalog: str, databases: dict[str, dict[str, str]],
            state_db: Path | None = None) -> Status:
    """The status now. `databases`: Postgres table (schema.table) -> PG* settings of its database;
    `state_db`: the local uc_state. Two statements on the warehouse (the one Spark the pipeline and the
    streams also use)."""
    status = Status(stages=_stages(state_db, catalog) if state_db else {}, jobs=_jobs(w))
    quote = lambda *parts: ".".join("`" + p.replace("`", "``") + "`" for p in parts)  # noqa: E731
    names = {table: quote(catalog, *table.split(".")) for table in TABLES}
    counts = _row(w, warehouse_id, "SELECT " + ", ".join(
        f"(SELECT count(*) FROM {name}) AS c{i}" for i, name in enumerate(names.values())))
    for i, table in enumerate(TABLES):  # before every table exists, each on its own
        status.tables[table] = int(counts[f"c{i}"]) if counts else _scalar(w, warehouse_id, f"SELECT count(*) FROM {names[table]}")
    # the newest delivery, and the newest among the orders the refund stream scored (newest first)
    newest = _row(w, warehouse_id, (
        f"SELECT max(e.ts) AS delivered, max(CASE WHEN r.order_id IS NOT NULL THEN e.ts END) AS scored "
        f"FROM {names['lakeflow.all_events']} e LEFT JOIN {names['recommender.refund_recommendations']} r "
        "ON r.order_id = e.order_id WHERE e.event_type = 'delivered'"))
    if newest:
        status.newest_delivered = None if newest["delivered"] is None else str(newest["delivered"])
        status.newest_scored = None if newest["scored"] is None else str(newest["scored"])
    for table, settings in databases.items():
        status.synced[table] = _pg(settings, "SELECT count(*) FROM {}", table)
    return status


def _stages(state_db: Path, catalog: str) -> dict[str, int]:
    """Each stage that registered something for the catalog, and how many objects (read only)."""
    import sqlite3
    from contextlib import closing

    if not state_db.exists():
        return {}
    with closing(sqlite3.connect(f"{state_db.as_uri()}?mode=ro", uri=True, timeout=10)) as db:
        rows = db.execute("SELECT stage, count(*) FROM resources WHERE catalog = ? GROUP BY stage "
                          "ORDER BY stage", (catalog,)).fetchall()
    return {stage or "-": count for stage, count in rows}


def _jobs(w: Any) -> list[tuple[str, int, str]]:
    """Each job: its runs (those the scheduler skipped because one was still running left out) and
    the state of the newest of them."""
    found = []
    for job in w.jobs.list():
        runs = [r for r in w.jobs.list_runs(job_id=job.job_id)
                if not (r.state and r.state.life_cycle_state and r.state.life_cycle_state.value == "SKIPPED")]
        last = runs[0].state if runs else None
        state = "-" if last is None else (last.result_state.value if last.result_state else last.life_cycle_state.value)
        found.append((job.settings.name, len(runs), state))
    return sorted(found)


def _row(w: Any, warehouse_id: str | None, sql: str) -> dict | None:
    import sql_statements

    if not warehouse_id:
        return None
    try:
        rows = sql_statements.rows(w, warehouse_id, sql, timeout_s=120.0)
    except sql_statements.StatementFailed:
        return None  # a table not written yet
    return rows[0] if rows else None


def _scalar(w: Any, warehouse_id: str | None, sql: str) -> int | None:
    row = _row(w, warehouse_id, sql)
    value = next(iter(row.values())) if row else None
    return None if value is None else int(value)


def _pg(settings: dict[str, str], query: str, table: str):
    import psycopg
    from psycopg import sql

    schema, name = table.split(".")
    try:
        with psycopg.connect(host=settings["PGHOST"], port=int(settings["PGPORT"]), user=settings["PGUSER"],
                             dbname=settings["PGDATABASE"], connect_timeout=5) as conn:
            row = conn.execute(sql.SQL(query).format(sql.Identifier(schema, name))).fetchone()
    except psycopg.Error:
        return None  # the synced table has not taken its snapshot yet
    return row[0] if row else None
