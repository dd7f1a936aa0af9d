"""`make bench-data`: time the canonical dataset's generation and the replay per window.

Generation is timed as a whole process (median of 3); the replay's `run_once` in process over an
in-memory volume (median of 5) for the first run's catch-up (70 days) and for steady windows of
3 simulated minutes, 3 simulated hours (3 real minutes at speed 60) and one simulated day, with
the rows each read. Prints a Markdown table.

    python bench/data.py                      # as `make bench-data`
    python bench/data.py --runs 1 --dataset DIR   # one sample each, reusing a generated dataset
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


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # progress on stderr; the table alone on stdout


def every_tenth_part(text: str) -> None:
    """The replay says "window part N of M: ..." per simulated day of a catch-up; show one in ten."""
    number = text.split()[2] if text.startswith("window part ") else "1"
    if number.isdigit() and int(number) % 10 == 1:
        say(f"  {text}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=0, help="samples per step (default: 3 for the long ones, 5)")
    parser.add_argument("--dataset", default="", help="a generated dataset folder: time the replay only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.dataset) if args.dataset else Path(tmp) / "dataset"
        generation = []
        for attempt in range(0 if args.dataset else args.runs or 3):
            say(f"generating the dataset ({attempt + 1}/{args.runs or 3})...")
            started = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "src" / "data" / "canonical" / "generate.py"), "--out", str(out)],
                           check=True, stdout=subprocess.DEVNULL)
            generation.append(time.perf_counter() - started)
        dataset = str(out / "events.parquet")
        now = datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc)
        rows = [("generate the dataset (whole process)", statistics.median(generation), "-", "-")] if generation else []
        cases = [("first run: catch up 70 days", None, 70), ("3 simulated minutes", 180, 3),
                 ("3 simulated hours", 3 * 3600, 3), ("1 simulated day", 86400, 3)]
        for label, span, start_day in cases:
            samples, events, read = [], 0, 0
            runs = args.runs or (5 if span else 3)
            for attempt in range(runs):
                say(f"replay: {label} ({attempt + 1}/{runs})...")
                if span is None:
                    volume = Memory()
                else:
                    position = rc.EPOCH + 40 * rc.DAY
                    volume = Memory(rc.ReplayState(now.timestamp(), position, 0, position).to_json())
                moment = now + timedelta(seconds=span or 0)
                started = time.perf_counter()
                summary = rc.run_once(volume.load, volume.save, rc.DatasetReader(dataset).read,
                                      volume.write, moment, start_day, 1.0,
                                      progress=every_tenth_part)
                samples.append(time.perf_counter() - started)
                events, read = summary.events, summary.rows_read
            rows.append((f"replay: {label}", statistics.median(samples), f"{events:,}", f"{read:,}"))
    print("| step | median | events emitted | rows read |\n|---|---|---|---|")
    for label, seconds, events, read in rows:
        print(f"| {label} | {seconds:.2f} s | {events} | {read} |")


if __name__ == "__main__":
    main()
