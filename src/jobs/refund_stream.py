"""The refund recommender stream: every delivered order scored exactly once by the refund agent's
endpoint, into `recommender.refund_recommendations`. The engine (pending, bounded concurrency,
backoff, merge by key in chunks, error rows) is scoring.py; what is the refund stream's own is here:
an item is a delivered `Order`, the question is its id, a row is a `Recommendation`, and an answer
that is never valid is stored as `{"refund_usd": 0, "refund_class": "error", "reason": ...}`.

Fixed from the original (caspers-stages.md §3.1): no canned fake answers, no "first run" guess, no
cap that fakes the rest, no endless serial loop.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from .scoring import MemorySink as _MemorySink
from .scoring import RunSummary, Scoring, Settings, Sink, Transient  # noqa: F401 - the stream's API
from .scoring import endpoint_asker as _endpoint_asker
from .scoring import run as _run

REFUND_CLASSES = ("none", "partial", "full")  # and "error", which only the stream writes


@dataclass(frozen=True)
class Order:
    order_id: str
    order_ts: Any = None  # when it was created
    delivered_ts: Any = None
    order_total_usd: float | None = None  # from its order_created event: the bound of any refund


@dataclass(frozen=True)
class Recommendation:
    order_id: str
    ts: Any  # when it was scored
    order_ts: Any
    agent_response: str  # one line of JSON
    order_total_usd: float | None = None


def check(text: str) -> dict:
    """The agent's answer as a dict, by the agent's own schema; ValueError saying why it is not one."""
    from agents.common.answers import parse_answer  # raises InvalidAnswer, a ValueError
    from agents.refund.agent import FIELDS

    return parse_answer(text, FIELDS)


def error_response(reason: str) -> str:
    return json.dumps({"refund_usd": 0.0, "refund_class": "error", "reason": reason[:300]})


SCORING = Scoring(
    key=lambda order: order.order_id, question=lambda order: order.order_id,
    row=lambda order, ts, text: Recommendation(order.order_id, ts, order.order_ts, text, order.order_total_usd),
    check=check, error_response=lambda order, problem: error_response(problem),
    is_error=lambda text: '"refund_class": "error"' in text)


def run(sink: Sink, ask: Callable[[str], str], settings: Settings = Settings(),
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
        say: Callable[[str], None] = print, clock: Callable[[], float] = time.monotonic) -> RunSummary:
    """One run: score the pending orders through `ask(order_id) -> answer text`."""
    return _run(sink, ask, SCORING, settings, now, sleep, rng, say, noun="delivered order(s)", clock=clock)


def endpoint_asker(client: Any, endpoint: str, timeout_s: float = 60.0) -> Callable[[str], str]:
    """`ask` for the refund agent's endpoint: the user message is `Order id: <id>`."""
    return _endpoint_asker(client, endpoint, lambda order_id: f"Order id: {order_id}", timeout_s)


class MemorySink(_MemorySink):
    """Delivered orders in memory, pending newest delivery first."""

    def __init__(self, delivered: list[Order]):
        super().__init__(delivered, key=lambda x: x.order_id, order=lambda o: (str(o.delivered_ts), o.order_id))
        self.delivered = self.items
