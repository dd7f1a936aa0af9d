"""Deterministic draws from an id: SHA-256, so the same id gives the same number in every process,
run and engine (Python's `hash` is salted per process; Spark's `hash` differs from Python's). The
Spark SQL form of `draw(...) < rate` selects the same rows as the Python one (a test holds them equal)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeliveredOrder:
    """A delivered order a generator may draw (its id decides, see `draw`)."""
    order_id: str
    delivered_ts: Any = None


def draw(key: str, salt: str) -> float:
    """A number in [0, 1), fixed for a key and a purpose."""
    return int(hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:8], 16) / 2 ** 32


def sampled_sql(salt: str) -> str:
    """`draw({column}, salt) < :rate` in Spark SQL; `{column}` is filled by the caller."""
    quoted = salt.replace("'", "''")
    return (f"CAST(conv(substr(sha2(concat('{quoted}:', {{column}}), 256), 1, 8), 16, 10) AS DOUBLE) "
            "/ 4294967296.0 < CAST(:rate AS DOUBLE)")
