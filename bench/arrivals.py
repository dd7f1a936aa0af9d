"""How much a stream run meets at the demo's defaults, from the canonical dataset itself.

The replay advances SPEED_MULTIPLIER simulated seconds per wall second (spec/bundle.yaml's default),
and the scoring streams run every 10 minutes (caspers/scheduled.py), so each run meets the orders
delivered in SPEED_MULTIPLIER x 600 simulated seconds. Counted here over every such window of the
90-day cycle (one starting each simulated hour), from the dataset's `delivered` events; the
replay's first catch-up (everything up to START_DAY) is the backlog, which newest-first scoring
drains with what each run has left over.
"""

from __future__ import annotations

import os
import sys
import statistics
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANONICAL = ROOT / "src" / "data" / "canonical"  # imported as plain modules, as bench/data.py does
STREAM_INTERVAL_S = 600  # "0 0/10 * * * ?" (src/caspers/scheduled.py)
DELIVERED = 8  # replay_core.EVENT_TYPES


def default_speed() -> float:
    import yaml

    spec = yaml.safe_load((ROOT / "spec" / "bundle.yaml").read_text(encoding="utf-8"))
    return float(spec["parameters"]["SPEED_MULTIPLIER"]["default"])


def dataset_dir() -> str:
    """The dataset `make data` writes, generated into a temporary folder when it is not there."""
    sys.path.insert(0, str(CANONICAL))
    import generate

    built = ROOT / "build" / "data" / "canonical" / "canonical_dataset"
    if generate.up_to_date(str(built), generate.SEED):
        return str(built)
    out = tempfile.mkdtemp(prefix="bench-arrivals-")
    print(f"generating the canonical dataset into {out} (about 10 s; `make data` keeps one)", file=sys.stderr)
    generate.write(out, generate.SEED)
    return out


def per_run(speed: float, folder: str | None = None) -> dict:
    """Delivered orders a run meets: mean, median, 95th percentile and most, per window."""
    import numpy as np
    import pyarrow.parquet as pq

    sys.path.insert(0, str(CANONICAL))
    from replay_core import CYCLE, EPOCH

    events = pq.read_table(os.path.join(folder or dataset_dir(), "events.parquet"),
                           columns=["event_type_id", "ts_seconds"])
    seconds = np.asarray(events["ts_seconds"]) - EPOCH  # from the start of day 0
    delivered = np.sort(seconds[np.asarray(events["event_type_id"]) == DELIVERED])
    window = speed * STREAM_INTERVAL_S
    starts = np.arange(0, CYCLE - window + 1, 3600)
    counts = np.searchsorted(delivered, starts + window) - np.searchsorted(delivered, starts)
    return {"speed": speed, "window_s": window, "windows": len(counts), "mean": float(counts.mean()),
            "median": float(statistics.median(counts.tolist())), "p95": float(np.percentile(counts, 95)),
            "max": int(counts.max())}
