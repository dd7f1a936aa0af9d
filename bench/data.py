"""`make bench-data`: time the canonical dataset's generation and the replay per window.

Generation is timed as a whole process (median of 3); the replay's `run_once` in process over an
in-memory volume (median of 5) for the first run's catch-up (70 days) and for steady windows of
3 simulated minutes, 3 simulated hours (3 real minutes at speed 60) and one simulated day, with
the rows each read. Prints a Markdown table.

    python bench/data.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
import replay_core as rc  # noqa: E402


class Memory:
    def __init__(self, state=None):
        self.state, self.files = state, {}

    def load(self):
        return rc.ReplayState.from_json(self.state) if self.state else None

    def save(self, state):
        self.state = state.to_json()

    def write(self, name, data):
        self.files[name] = data


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dataset"
        generation = []
        for attempt in range(3):
            print(f"generating the dataset ({attempt + 1}/3)...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "src" / "data" / "canonical" / "generate.py"), "--out", str(out)],
                           check=True, stdout=subprocess.DEVNULL)
            generation.append(time.perf_counter() - started)
        dataset = str(out / "events.parquet")
        now = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
        rows = [("generate the dataset (whole process)", statistics.median(generation), "-", "-")]
        cases = [("first run: catch up 70 days", None, 70), ("3 simulated minutes", 180, 3),
                 ("3 simulated hours", 3 * 3600, 3), ("1 simulated day", 86400, 3)]
        for label, span, start_day in cases:
            print(f"replay: {label}...", file=sys.stderr, flush=True)
            samples, events, read = [], 0, 0
            for _ in range(5 if span else 3):
                if span is None:
                    volume = Memory()
                else:
                    position = rc.EPOCH + 40 * rc.DAY
                    volume = Memory(rc.ReplayState(now.timestamp(), position, 0, position).to_json())
                moment = now + timedelta(seconds=span or 0)
                started = time.perf_counter()
                summary = rc.run_once(volume.load, volume.save, rc.DatasetReader(dataset).read,
                                      volume.write, moment, start_day, 1.0)
                samples.append(time.perf_counter() - started)
                events, read = summary.events, summary.rows_read
            rows.append((f"replay: {label}", statistics.median(samples), f"{events:,}", f"{read:,}"))
    print("| step | median | events emitted | rows read |\n|---|---|---|---|")
    for label, seconds, events, read in rows:
        print(f"| {label} | {seconds:.2f} s | {events} | {read} |")


if __name__ == "__main__":
    main()
