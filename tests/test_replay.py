"""The replay core: catch-up, steady advance, looping with suffixes, exactly-once after a crash,
no timestamp jump at midnight, and reads bounded by the window."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import ROOT
from .dataset import shared_dataset

sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
import replay_core as rc  # noqa: E402

START = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)


class Volume:
    """The events volume and the state file, in memory, with an optional crash point."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.state: str | None = None
        self.crash_on_commit = False

    def load(self):
        return rc.ReplayState.from_json(self.state) if self.state else None

    def save(self, state):
        if self.crash_on_commit and state.pending is None:
            self.crash_on_commit = False
            raise RuntimeError("killed between writing events and saving progress")
        self.state = state.to_json()

    def write(self, name, data):
        self.files[name] = data

    def events(self) -> list[dict]:
        return [json.loads(line) for data in self.files.values() for line in data.decode().splitlines()]


@pytest.fixture(scope="module")
def dataset():
    return str(shared_dataset() / "events.parquet")


def run(volume, dataset, now, speed=60.0, start_day=3, progress=lambda text: None):  # a short catch-up: quick
    return rc.run_once(volume.load, volume.save, rc.DatasetReader(dataset).read, volume.write, now, start_day, speed,
                       progress)


def test_first_run_catches_up_to_start_day_and_time_of_day(dataset):
    volume, said = Volume(), []
    summary = run(volume, dataset, START, start_day=70, progress=said.append)
    assert summary.first_run and summary.window == (rc.EPOCH, rc.EPOCH + 70 * rc.DAY + 10 * 3600 + 30 * 60)
    assert len(summary.files) == 71  # one file per dataset day (70 days and the morning of day 70)
    assert len(said) == 71 and said[0] == "window part 1 of 71: 0 events so far"  # the catch-up shows progress
    import pyarrow.parquet as pq

    assert summary.rows_read < pq.read_metadata(dataset).num_rows  # each row group read once at most
    events = volume.events()
    assert len(events) == summary.events > 500_000
    latest = max(e["ts"] for e in events)
    assert latest <= "2026-11-25 10:30:00.000" and latest >= "2026-11-25 10:00:00.000"  # day 70 shows as today
    assert min(e["ts"] for e in events).startswith("2026-09-16")  # day 0 = 70 days earlier


@pytest.mark.parametrize("speed", [1.0, 60.0, 600.0])
def test_later_runs_advance_by_elapsed_wall_time_times_speed(dataset, speed):
    volume = Volume()
    run(volume, dataset, START, speed)
    state = volume.load()
    summary = run(volume, dataset, START + timedelta(minutes=3), speed)
    assert summary.window == (state.watermark, state.watermark + int(180 * speed))
    assert not summary.first_run and summary.events > 0
    assert run(volume, dataset, START + timedelta(minutes=3), speed).window is None  # nothing new


def test_wrapping_past_day_89_suffixes_order_ids_and_keeps_time_increasing(dataset):
    volume = Volume()
    near_end = rc.EPOCH + rc.CYCLE - 2 * 3600  # two simulated hours before the end of day 89
    volume.state = rc.ReplayState(anchor=START.timestamp(), start_position=near_end, shift=0,
                                  watermark=near_end).to_json()
    summary = run(volume, dataset, START + timedelta(minutes=3), speed=60.0)  # three simulated hours
    assert summary.window == (near_end, near_end + 3 * 3600)
    assert [s[0] for s in rc.segments(*summary.window)] == [0, 1]
    looped = [e for e in volume.events() if e["order_id"].endswith("-L1")]
    loop0 = [e for e in volume.events() if not e["order_id"].endswith("-L1")]
    assert looped and loop0 and all(len(e["order_id"]) == 9 for e in looped)
    assert min(e["ts"] for e in looped) > max(e["ts"] for e in loop0)  # time keeps increasing across the wrap
    assert min(e["ts"] for e in looped).startswith("2024-03-31")  # day 90 = the first day of the second loop


def test_loop_boundaries_split_windows():
    cycle_end = rc.EPOCH + rc.CYCLE
    pieces = rc.segments(cycle_end - 100, cycle_end + 50)
    assert pieces == [(0, cycle_end - 100, cycle_end), (1, rc.EPOCH, rc.EPOCH + 50)]


def test_a_crash_between_write_and_commit_produces_no_duplicates(dataset):
    volume = Volume()
    run(volume, dataset, START)
    volume.crash_on_commit = True
    with pytest.raises(RuntimeError):
        run(volume, dataset, START + timedelta(minutes=3))
    written = dict(volume.files)
    pending = volume.load().pending
    assert pending is not None  # the window was recorded before writing
    resumed = run(volume, dataset, START + timedelta(minutes=10))  # later, with a bigger "now"
    assert resumed.resumed and resumed.window == pending  # the same window again, not a bigger one
    assert volume.load().watermark == pending[1] and volume.load().pending is None
    for name, data in written.items():
        assert volume.files[name] == data  # rewritten byte for byte, not appended
    ids = [e["event_id"] for e in volume.events()]
    assert len(ids) == len(set(ids))
    after = run(volume, dataset, START + timedelta(minutes=10))
    assert after.window is not None and not after.resumed  # then it carries on from where it was
    ids = [e["event_id"] for e in volume.events()]
    assert len(ids) == len(set(ids))


def test_no_timestamp_jump_across_utc_midnight(dataset):
    volume = Volume()
    before_midnight = datetime(2026, 11, 25, 23, 58, tzinfo=timezone.utc)
    run(volume, dataset, before_midnight, speed=1.0)
    first = max(e["ts"] for e in volume.events())
    summary = run(volume, dataset, before_midnight + timedelta(minutes=4), speed=1.0)  # crosses midnight
    second = [json.loads(line) for name in summary.files for line in volume.files[name].decode().splitlines()]
    assert second, "four minutes of data"
    gap = (datetime.strptime(min(e["ts"] for e in second), "%Y-%m-%d %H:%M:%S.000")
           - datetime.strptime(first, "%Y-%m-%d %H:%M:%S.000")).total_seconds()
    assert 0 <= gap <= 240  # continuous: the shift was fixed at the first run, not recomputed at midnight
    assert max(e["ts"] for e in second) <= "2026-11-26 00:02:00.000"


def test_times_are_utc_aware():
    state = rc.first_state(datetime(2026, 1, 1, 20, 0, tzinfo=timezone(timedelta(hours=-5))), 10)
    assert state.start_position == rc.EPOCH + 10 * rc.DAY + 1 * 3600  # 20:00 at UTC-5 is 01:00 UTC
    assert rc.format_ts(rc.EPOCH) == "2024-01-01 00:00:00.000"


def test_rows_read_are_bounded_by_the_window(dataset):
    import pyarrow.parquet as pq

    total = pq.read_metadata(dataset).num_rows
    rows, read = rc.read_window(dataset, rc.EPOCH + 40 * rc.DAY, rc.EPOCH + 40 * rc.DAY + 3 * 3600)
    assert rows and read <= 2 * 16_384 and read < total / 30
    assert all(rc.EPOCH + 40 * rc.DAY < r["ts_seconds"] <= rc.EPOCH + 40 * rc.DAY + 3 * 3600 for r in rows)


def test_event_ids_are_deterministic_and_bodies_match_the_original_shape():
    row = {"order_id": "A7K2M9", "event_type_id": 1, "sequence": 0, "ts_seconds": rc.EPOCH + 60, "location_id": 1,
           "customer_lat": 1.5, "customer_lon": 2.5, "customer_addr": "1 Main St",
           "items_json": '[{"id":1,"qty":2}]', "route_json": None, "ping_lat": None, "ping_lon": None}
    first, = rc.records([row], loop=1, shift=0)
    again, = rc.records([row], loop=1, shift=0)
    assert first == again and first["order_id"] == "A7K2M9-L1"
    assert json.loads(first["body"]) == {"customer_lat": 1.5, "customer_lon": 2.5, "customer_addr": "1 Main St",
                                         "items": [{"id": 1, "qty": 2}]}
    assert first["ts"] == rc.format_ts(rc.EPOCH + rc.CYCLE + 60)
    other, = rc.records([row], loop=0, shift=0)
    assert other["event_id"] != first["event_id"]


def test_the_watched_folder_never_shows_a_file_the_pipeline_would_read_before_it_is_whole(tmp_path):
    """Between the write and the rename, a listing of the events folder holds only the temporary
    file, which the pipeline's file filter (and Spark's hidden-file rule) never read."""
    import fnmatch
    import os

    watched = tmp_path / "events"
    watched.mkdir()
    seen = []

    def list_now(temporary):
        seen.append(sorted(os.listdir(watched)))
        assert os.path.dirname(temporary) == str(watched)

    rc.replace_file(str(watched / rc.file_name((0, 60), 0)), b'{"event_id":"a"}\n', before_rename=list_now)
    rc.replace_file(str(watched / rc.file_name((60, 120), 0)), b'{"event_id":"b"}\n', before_rename=list_now)
    readable = lambda names: [n for n in names if fnmatch.fnmatch(n, rc.EVENT_FILE_GLOB) and not n.startswith((".", "_"))]  # noqa: E731
    assert readable(seen[0]) == [] and seen[0] == [".events-0-60-0000.json.tmp"]
    assert readable(seen[1]) == ["events-0-60-0000.json"]  # only the finished file of the first window
    assert sorted(os.listdir(watched)) == ["events-0-60-0000.json", "events-60-120-0000.json"]


def test_the_pipeline_filter_is_the_replay_glob_and_temporary_names_miss_it():
    import fnmatch

    sys.path.insert(0, str(ROOT / "src" / "pipelines" / "order_items"))
    import order_items_logic as logic

    assert logic.EVENT_FILE_GLOB == rc.EVENT_FILE_GLOB
    assert fnmatch.fnmatch(rc.file_name((1, 2), 3), rc.EVENT_FILE_GLOB)
    assert not fnmatch.fnmatch(rc.temporary_name(rc.file_name((1, 2), 3)), rc.EVENT_FILE_GLOB)


def test_bench_data_shows_progress_as_it_goes(dataset):
    import subprocess

    run = subprocess.run([sys.executable, str(ROOT / "bench" / "data.py"), "--runs", "1", "--dataset",
                          str(shared_dataset())], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert lines[0] == "replay: first run: catch up 70 days (1/1)..."
    assert "  window part 1 of 71: 0 events so far" in lines and "  window part 2 of 71" not in "\n".join(lines)
    assert any(line.startswith("  window part 61 of 71") for line in lines)
    assert run.stdout.startswith("| step | median |") and "replay: 1 simulated day" in run.stdout


def test_a_window_without_events_writes_no_file():
    """A quiet stretch of the dataset (no event in the window) leaves the volume as it was: no empty
    file for the pipeline to list and read."""
    state = rc.ReplayState(anchor=START.timestamp(), start_position=rc.EPOCH + 100, shift=0, watermark=rc.EPOCH + 100)
    written = {}
    summary = rc.run_once(lambda: state, lambda s: None, lambda start, end: ([], 0),
                          lambda name, data: written.__setitem__(name, data),
                          now=START + timedelta(seconds=60), start_day=0, speed=1.0)
    assert summary.window is not None and summary.files == [] and written == {} and summary.events == 0
