"""The generated canonical dataset, shared by the tests: generated once per generator version into
the system temp folder (atomically, so parallel test workers never see half a dataset)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

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


@dataclass(frozen=True)
class OrderFacts:
    """What the raw events say about one order (facts, no decision): its kitchen, its total (price
    times quantity over its items) and when it was created and delivered (None until delivered)."""
    location_id: int
    total: float
    created: datetime
    delivered: Optional[datetime]

    @property
    def minutes(self) -> Optional[float]:
        return round((self.delivered - self.created).total_seconds() / 60, 2) if self.delivered else None


def location_names() -> dict[int, str]:
    """Kitchen names by location id, from the dimension tables the generator ships."""
    import json

    table = json.loads((GENERATOR.parent / "dimensions.json").read_text())["locations"]
    at = table["columns"].index
    return {row[at("location_id")]: row[at("name")] for row in table["rows"]}


@functools.lru_cache(maxsize=4)
def order_facts(days: int = 2) -> dict[str, OrderFacts]:
    """Every order created in the first `days` days of the canonical dataset, from the raw events
    (read with the replay's own reader, not through the SQL tools the tests check)."""
    import json

    sys.path.insert(0, str(ROOT / "src" / "data" / "canonical"))
    import replay_core as rc

    rows, _ = rc.read_window(str(shared_dataset() / "events.parquet"), rc.EPOCH, rc.EPOCH + days * rc.DAY)
    found: dict[str, dict] = {}
    for r in rc.records(rows, loop=0, shift=0):
        order = found.setdefault(r["order_id"], {"location_id": int(r["location_id"])})
        ts = datetime.strptime(r["ts"], "%Y-%m-%d %H:%M:%S.%f")
        if r["event_type"] == "order_created":
            order["created"] = ts
            order["total"] = round(sum(i["price"] * i.get("qty", 1) for i in json.loads(r["body"])["items"]), 2)
        elif r["event_type"] == "delivered":
            order["delivered"] = ts
    return {k: OrderFacts(o["location_id"], o["total"], o["created"], o.get("delivered"))
            for k, o in found.items() if "created" in o}


def delivered_orders(days: int = 2) -> list[str]:
    """The delivered orders of the first `days` days, by id."""
    return sorted(k for k, o in order_facts(days).items() if o.delivered)
