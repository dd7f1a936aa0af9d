"""The generated canonical dataset, shared by the tests: generated once per generator version into
the system temp folder (atomically, so parallel test workers never see half a dataset)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .conftest import ROOT

GENERATOR = ROOT / "src" / "data" / "canonical" / "generate.py"


def _hash() -> str:
    import hashlib

    digest = hashlib.sha256()
    for name in ("generate.py", "dimensions.py", "dimensions.json"):
        digest.update((GENERATOR.parent / name).read_bytes())
    return digest.hexdigest()[:16]


def generate(out: Path, seed: int = 42) -> str:
    """Run the generator as `make data` does; returns what it printed (its progress)."""
    return subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--seed", str(seed)], check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def shared_dataset() -> Path:
    final = Path(tempfile.gettempdir()) / f"caspers-canonical-{_hash()}"
    if (final / "events.parquet").exists():
        return final
    staging = Path(tempfile.mkdtemp(prefix="caspers-canonical-"))
    generate(staging)
    try:
        os.rename(staging, final)
    except OSError:  # another worker got there first
        shutil.rmtree(staging, ignore_errors=True)
    return final


def refund_decisions(days: int = 2) -> dict[str, tuple[str, float]]:
    """The refund oracle: per delivered order of the first `days` days of the canonical dataset, its
    (refund_class, refund_usd) under the refund agent's policy, computed here from the raw events
    (numpy percentiles), independently of the SQL tools and the agent."""
    import json
    from datetime import datetime, timedelta

    import numpy as np

    sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
    import replay_core as rc

    FMT = "%Y-%m-%d %H:%M:%S.%f"
    rows, _ = rc.read_window(str(shared_dataset() / "events.parquet"), rc.EPOCH, rc.EPOCH + days * rc.DAY)
    orders: dict[str, dict] = {}
    for r in rc.records(rows, loop=0, shift=0):
        order = orders.setdefault(r["order_id"], {"location": r["location_id"]})
        ts = datetime.strptime(r["ts"], FMT)
        if r["event_type"] == "order_created":
            order["created"] = ts
            order["total"] = sum(i["price"] * i["qty"] for i in json.loads(r["body"])["items"])
        elif r["event_type"] == "delivered":
            order["delivered"] = ts
    latest = max(o.get("delivered", o.get("created")) for o in orders.values())
    minutes = {k: round((o["delivered"] - o["created"]).total_seconds() / 60, 2) for k, o in orders.items()
               if "delivered" in o and "created" in o}
    decisions = {}
    for location in {o["location"] for o in orders.values()}:
        recent = [minutes[k] for k, o in orders.items() if k in minutes and o["location"] == location
                  and o["delivered"] >= latest - timedelta(days=1)]
        p75, p99 = (round(float(np.percentile(recent, p)), 2) for p in (75, 99))
        for k, o in orders.items():
            if k in minutes and o["location"] == location:
                kind = "none" if minutes[k] <= p75 else "partial" if minutes[k] <= p99 else "full"
                usd = 0 if kind == "none" else round(o["total"] * (0.25 if kind == "partial" else 1), 2)
                decisions[k] = (kind, usd)
    return decisions


