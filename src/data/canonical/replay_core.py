"""The canonical replay as pure functions: which window of the dataset a run emits, how it maps
onto the 90-day cycle, and what each emitted record looks like. The notebook (replay.py) only
reads widgets, files and the clock, and calls `run_once`.

Behaviour kept from the original (caspers-stages.md §7.4): the first run catches up to START_DAY
plus the time of day; later runs advance by the wall time elapsed since the first run times
SPEED_MULTIPLIER; the replay loops forever, suffixing order ids with `-L<n>` from the second loop.

Defects fixed (§7.6):
- exactly-once: the window is recorded as `pending` before anything is written, event ids are
  deterministic, and files are named by window, so a run that dies between writing events and
  committing progress is finished by the next run, which rewrites the same files byte for byte;
- the timestamp shift is fixed at the first run and stored, so emitted times never jump at midnight;
- every time is UTC-aware;
- the anchor (first run), the watermark and the pending window are one JSON document, replaced
  atomically (write, then rename);
- temporary files are hidden and outside the pipeline's file filter (`EVENT_FILE_GLOB`), so Auto
  Loader never ingests a half-written or temporary file;
- only the parquet row groups that overlap the window are read.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

EPOCH = 1704067200  # 2024-01-01T00:00:00Z, the dataset's day 0
DAY = 86400
DATASET_DAYS = 90
CYCLE = DATASET_DAYS * DAY
EVENT_TYPES = {1: "order_created", 2: "gk_started", 3: "gk_finished", 4: "gk_ready", 5: "driver_arrived",
               6: "driver_picked_up", 7: "driver_ping", 8: "delivered"}


@dataclass(frozen=True)
class ReplayState:
    anchor: float  # wall-clock Unix seconds of the first run
    start_position: int  # the virtual second the first run catches up to
    shift: int  # seconds added to dataset time when emitting it, fixed at the first run
    watermark: int  # the last virtual second emitted (windows are (watermark, end])
    pending: tuple[int, int] | None = None  # a window being written and not yet committed

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str) -> "ReplayState":
        data = json.loads(text)
        pending = tuple(data["pending"]) if data.get("pending") else None
        return ReplayState(float(data["anchor"]), int(data["start_position"]), int(data["shift"]),
                           int(data["watermark"]), pending)


def first_state(now: datetime, start_day: int) -> ReplayState:
    """Dataset day START_DAY shows as today: the shift maps it onto the UTC midnight of the first run."""
    now = now.astimezone(timezone.utc)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    time_of_day = int((now - midnight).total_seconds())
    shift = int((midnight - timedelta(days=start_day)).timestamp()) - EPOCH
    return ReplayState(anchor=now.timestamp(), start_position=EPOCH + start_day * DAY + time_of_day,
                       shift=shift, watermark=EPOCH)


def target_end(state: ReplayState, now: datetime, speed: float) -> int:
    elapsed = max(0.0, now.timestamp() - state.anchor)
    return state.start_position + int(elapsed * speed)


def plan(state: ReplayState, now: datetime, speed: float) -> tuple[int, int] | None:
    """The window this run must emit, or None when there is nothing new."""
    if state.pending:
        return state.pending
    end = target_end(state, now, speed)
    return (state.watermark, end) if end > state.watermark else None


def segments(start: int, end: int, max_span: int = DAY) -> list[tuple[int, int, int]]:
    """Split the virtual window (start, end] at loop boundaries and into spans of at most a day:
    (loop, base_start, base_end) with base times inside the 90-day dataset."""
    out = []
    cursor = start
    while cursor < end:
        loop = (cursor - EPOCH) // CYCLE
        loop_end = EPOCH + (loop + 1) * CYCLE
        stop = min(end, loop_end, cursor + max_span)
        out.append((int(loop), cursor - loop * CYCLE, stop - loop * CYCLE))
        cursor = stop
    return out


def event_id(order_id: str, event_type_id: int, sequence: int) -> str:
    """Deterministic: the same event of the same loop always gets the same id."""
    digest = hashlib.sha256(f"{order_id}|{event_type_id}|{sequence}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def format_ts(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(seconds))  # UTC, like the original's strings


def body(row: dict) -> str:
    """The event's JSON body (§7.3). The dataset's JSON columns are spliced in as they are."""
    kind = row["event_type_id"]
    if kind == 1:
        return ('{"customer_lat":%s,"customer_lon":%s,"customer_addr":%s,"items":%s}'
                % (json.dumps(row["customer_lat"]), json.dumps(row["customer_lon"]),
                   json.dumps(row["customer_addr"]), row["items_json"] or "[]"))
    if kind == 6:
        return '{"route_points":%s}' % row["route_json"] if row.get("route_json") else "{}"
    if kind == 7:
        if row.get("ping_lat") is None:
            return "{}"
        return '{"progress_pct":%s,"loc_lat":%s,"loc_lon":%s}' % (
            json.dumps(row["ping_progress"]), json.dumps(row["ping_lat"]), json.dumps(row["ping_lon"]))
    if kind == 8 and row.get("customer_lat") is not None:
        return '{"delivered_lat":%s,"delivered_lon":%s}' % (json.dumps(row["customer_lat"]),
                                                            json.dumps(row["customer_lon"]))
    return "{}"


def records(rows: Iterable[dict], loop: int, shift: int) -> list[dict]:
    """The emitted event records (what lands in the events volume) for base rows of one loop."""
    out = []
    for row in rows:
        order_id = row["order_id"] + (f"-L{loop}" if loop > 0 else "")
        virtual = row["ts_seconds"] + loop * CYCLE
        out.append({
            "event_id": event_id(order_id, row["event_type_id"], row["sequence"]),
            "event_type": EVENT_TYPES[row["event_type_id"]],
            "ts": format_ts(virtual + shift),
            "location_id": row["location_id"],
            "order_id": order_id,
            "sequence": row["sequence"],
            "body": body(row),
        })
    return out


EVENT_FILE_GLOB = "events-*.json"  # the only names the pipeline's Auto Loader source reads


def file_name(window: tuple[int, int], index: int) -> str:
    return f"events-{window[0]}-{window[1]}-{index:04d}.json"


def temporary_name(name: str) -> str:
    """Where a file is written before its rename: hidden (Spark's file sources skip names starting
    with `.`) and outside EVENT_FILE_GLOB (the pipeline's file filter), so a reader of the watched
    folder never picks up a half-written or temporary file, even where a rename is a copy."""
    return f".{name}.tmp"


def volume_path(catalog: str, schema: str, volume: str, *parts: str) -> str:
    """A volume's file for plain file I/O (open, os.replace). On Databricks volumes are mounted at
    /Volumes; the local workspace's task processes get the folder holding its volumes as
    DATABRICKS_VOLUMES_ROOT instead, so the same notebook writes where the Files API reads."""
    import os

    root = os.environ.get("DATABRICKS_VOLUMES_ROOT") or "/Volumes"
    return os.path.join(root, catalog, schema, volume, *parts)


def replace_file(path: str, data: bytes, before_rename: Callable[[str], None] | None = None) -> None:
    """Write then rename in the same folder: readers see the old file or the whole new one, and a
    rerun replaces, never appends. `before_rename(temporary)` is a test hook."""
    import os

    folder, name = os.path.split(path)
    temporary = os.path.join(folder, temporary_name(name))
    with open(temporary, "wb") as handle:
        handle.write(data)
    if before_rename is not None:
        before_rename(temporary)
    os.replace(temporary, path)


def to_json_lines(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in rows).encode()


@dataclass
class RunSummary:
    window: tuple[int, int] | None
    files: list[str]
    events: int
    rows_read: int
    first_run: bool
    resumed: bool


def run_once(load_state: Callable[[], ReplayState | None], save_state: Callable[[ReplayState], None],
             read_base: Callable[[int, int], tuple[list[dict], int]], write_file: Callable[[str, bytes], None],
             now: datetime, start_day: int, speed: float, progress: Callable[[str], None] = lambda text: None
             ) -> RunSummary:
    """One replay run. `read_base(start, end)` returns the dataset rows with ts in (start, end] and
    how many rows it had to read; `write_file(name, data)` replaces a file in the events volume."""
    state = load_state()
    first = state is None
    if first:
        state = first_state(now, start_day)
        save_state(state)  # the anchor is durable before anything else happens
    resumed = state.pending is not None
    window = plan(state, now, speed)
    if window is None:
        return RunSummary(None, [], 0, 0, first, False)
    if not resumed:
        state = replace(state, pending=window)
        save_state(state)
    files, events, rows_read = [], 0, 0
    parts = segments(*window)
    for index, (loop, base_start, base_end) in enumerate(parts):
        if len(parts) > 1:  # a catch-up: one line per simulated day
            progress(f"window part {index + 1} of {len(parts)}: {events:,} events so far")
        rows, read = read_base(base_start, base_end)
        rows_read += read
        emitted = records(rows, loop, state.shift)
        if emitted:  # a quiet window writes no file (an empty file is noise for the pipeline)
            name = file_name(window, index)
            write_file(name, to_json_lines(emitted))
            files.append(name)
        events += len(emitted)
    save_state(replace(state, watermark=window[1], pending=None))
    return RunSummary(window, files, events, rows_read, first, resumed)


class DatasetReader:
    """Reads rows with ts_seconds in (start, end], loading only the row groups whose statistics
    overlap, each at most once per run (a catch-up asks for many consecutive day windows)."""

    def __init__(self, path: str):
        import pyarrow.parquet as pq

        self.file = pq.ParquetFile(path)
        meta = self.file.metadata
        ts_index = self.file.schema_arrow.get_field_index("ts_seconds")
        self.ranges = []
        for group in range(meta.num_row_groups):
            stats = meta.row_group(group).column(ts_index).statistics
            known = stats is not None and stats.has_min_max
            self.ranges.append((stats.min, stats.max) if known else (None, None))
        self.loaded: dict[int, list[dict]] = {}
        self.rows_read = 0

    def read(self, start: int, end: int) -> tuple[list[dict], int]:
        before = self.rows_read
        rows = []
        for group, (low, high) in enumerate(self.ranges):
            if low is not None and not (high > start and low <= end):
                continue
            if group not in self.loaded:
                table = self.file.read_row_group(group)
                self.rows_read += table.num_rows
                self.loaded = {g: r for g, r in self.loaded.items() if g >= group - 1}  # keep memory bounded
                self.loaded[group] = table.to_pylist()
            rows.extend(r for r in self.loaded[group] if start < r["ts_seconds"] <= end)
        return rows, self.rows_read - before


def read_window(path: str, start: int, end: int) -> tuple[list[dict], int]:
    """One window, from a fresh reader (what a run with a single window does)."""
    return DatasetReader(path).read(start, end)
