"""The refund recommender stream: every delivered order scored exactly once by the refund agent's
endpoint, as plain functions over a `Sink` (the Delta table on Databricks, memory in tests).

Each run of the job (every 10 minutes) scores what is delivered and not yet scored: the sink lists
pending orders (an anti-join on `order_id`, oldest first, at most `cap`), the endpoint is called
with bounded concurrency, and answers are merged by `order_id` in chunks as they come. So:
- a rerun, a retry of the job or a crash mid-batch creates no duplicate (merge by key) and loses no
  order (what was not merged is pending again next run);
- orders past the cap wait for the next run (nothing is faked);
- an endpoint that answers 429, 5xx or times out is retried with exponential backoff and jitter; an
  order still failing is left pending (deferred) and counted;
- an answer that is not the agent's JSON after `invalid_tries` calls is stored as
  `{"refund_usd": 0, "refund_class": "error", "reason": ...}` and counted.

Fixed from the original (caspers-stages.md §3.1): no canned fake answers, no "first run" guess, no
cap that fakes the rest, no endless serial loop.
"""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol

REFUND_CLASSES = ("none", "partial", "full")  # and "error", which only the stream writes


@dataclass(frozen=True)
class Order:
    order_id: str
    order_ts: Any = None  # when it was created
    delivered_ts: Any = None


@dataclass(frozen=True)
class Recommendation:
    order_id: str
    ts: Any  # when it was scored
    order_ts: Any
    agent_response: str  # one line of JSON


class Sink(Protocol):
    def pending(self, cap: int) -> list[Order]: ...

    def merge(self, rows: list[Recommendation]) -> None: ...


@dataclass
class Settings:
    cap: int = 200  # orders per run
    concurrency: int = 16  # what a Medium endpoint serves at once (stages/refunder_agent.py)
    attempts: int = 5  # tries per call on 429 / 5xx / timeout
    invalid_tries: int = 3  # calls per order whose answer is not the agent's JSON
    backoff_s: float = 0.5  # first wait; doubles, with jitter, up to max_backoff_s
    max_backoff_s: float = 8.0
    chunk: int = 25  # answers merged together


@dataclass
class RunSummary:
    pending: int = 0
    scored: int = 0
    errors: int = 0  # stored with refund_class "error"
    deferred: int = 0  # left pending for the next run
    calls: int = 0
    retries: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.pending} pending: {self.scored} scored ({self.errors} stored as errors), {self.deferred} "
                f"deferred to the next run; {self.calls} calls, {self.retries} retried")


class Transient(Exception):
    """A call that may succeed if tried again (429, 5xx, timeouts, dropped connections)."""


def check(text: str) -> dict:
    """The agent's answer as a dict, by the agent's own schema; ValueError saying why it is not one."""
    from agents.common.answers import parse_answer  # raises InvalidAnswer, a ValueError
    from agents.refund.agent import FIELDS

    return parse_answer(text, FIELDS)


def error_response(reason: str) -> str:
    return json.dumps({"refund_usd": 0.0, "refund_class": "error", "reason": reason[:300]})


def run(sink: Sink, ask: Callable[[str], str], settings: Settings = Settings(),
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
        say: Callable[[str], None] = print) -> RunSummary:
    """One run: score the pending orders through `ask(order_id) -> answer text` (which raises
    Transient for what may pass on a retry) and merge the answers as they come."""
    rng = rng or random.Random()
    summary = RunSummary()
    orders = sink.pending(settings.cap)
    summary.pending = len(orders)
    say(f"{len(orders)} delivered order(s) to score (cap {settings.cap}, {settings.concurrency} at a time)")
    lock, merging = threading.Lock(), threading.Lock()  # one merge at a time: no write conflicts with ourselves
    ready: list[Recommendation] = []
    crashed = threading.Event()

    def flush(force: bool = False) -> None:
        with merging:
            with lock:
                if crashed.is_set() or not ready or (len(ready) < settings.chunk and not force):
                    return
                batch = list(ready)
                ready.clear()
            sink.merge(batch)
        say(f"merged {len(batch)} recommendation(s)")

    def score(order: Order) -> str:
        if crashed.is_set():
            raise _Stopped()
        try:
            text = _answer(order.order_id, ask, settings, summary, lock, sleep, rng)
        except Transient:
            raise
        except BaseException:
            crashed.set()  # a bug or a lost cluster stops the run: nothing more is asked or merged
            raise
        row = Recommendation(order.order_id, now(), order.order_ts, text)
        with lock:
            ready.append(row)
        flush()
        return text

    with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        futures = {pool.submit(score, order): order for order in orders}
        _collect(futures, summary)
    flush(force=True)
    say(summary.line())
    return summary


def _collect(futures: dict, summary: RunSummary) -> None:
    """Count the outcomes; the first crash is raised once every thread has stopped (what was
    not merged is pending again next run)."""
    crash: BaseException | None = None
    for future in as_completed(futures):
        try:
            text = future.result()
        except _Stopped:
            continue
        except Transient as err:
            summary.deferred += 1
            summary.problems.append(f"{futures[future].order_id}: {err}")
            continue
        except BaseException as err:
            crash = crash or err
            continue
        summary.scored += 1
        if '"refund_class": "error"' in text:
            summary.errors += 1
    if crash is not None:
        raise crash


class _Stopped(Exception):
    """An order not started because the run crashed."""


def _answer(order_id: str, ask, settings: Settings, summary: RunSummary, lock, sleep, rng) -> str:
    problem = ""
    for _ in range(settings.invalid_tries):
        text = _call(order_id, ask, settings, summary, lock, sleep, rng)
        try:
            check(text)
            return text
        except ValueError as err:
            problem = f"invalid answer: {err}: {text[:120]!r}"
    return error_response(problem)


def _call(order_id: str, ask, settings: Settings, summary: RunSummary, lock, sleep, rng) -> str:
    wait = settings.backoff_s
    for attempt in range(settings.attempts):
        with lock:
            summary.calls += 1
        try:
            return ask(order_id)
        except Transient:
            if attempt == settings.attempts - 1:
                raise
            with lock:
                summary.retries += 1
            sleep(min(wait, settings.max_backoff_s) * (0.5 + rng.random()))
            wait *= 2
    raise AssertionError("unreachable")


def endpoint_asker(client: Any, endpoint: str, timeout_s: float = 60.0) -> Callable[[str], str]:
    """`ask` for an agent endpoint through the OpenAI Responses API; transient failures become
    Transient (the OpenAI client's own retries are off: the stream's backoff is the only one)."""
    import openai

    transient = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError,
                 openai.APIConnectionError)

    def ask(order_id: str) -> str:
        try:
            answer = client.with_options(timeout=timeout_s, max_retries=0).responses.create(
                model=endpoint, input=[{"role": "user", "content": f"Order id: {order_id}"}])
        except transient as err:
            raise Transient(f"{type(err).__name__}: {str(err)[:160]}") from None
        except openai.APIStatusError as err:
            if err.status_code in (404, 503):  # not there yet, or not ready: a later run will find it
                raise Transient(f"endpoint {endpoint}: {err.status_code}") from None
            raise
        return answer.output_text

    return ask


class MemorySink:
    """The sink's contract in memory: what the tests (and the benchmark) hold the stream to."""

    def __init__(self, delivered: list[Order]):
        self.delivered = list(delivered)
        self.rows: dict[str, Recommendation] = {}
        self.merges = 0
        self.duplicates = 0  # rows merged for an order that already had one (the MERGE drops them)
        self.lock = threading.Lock()

    def pending(self, cap: int) -> list[Order]:
        with self.lock:
            todo = [o for o in self.delivered if o.order_id not in self.rows]
        return sorted(todo, key=lambda o: (str(o.delivered_ts), o.order_id))[:cap]

    def merge(self, rows: list[Recommendation]) -> None:
        with self.lock:
            self.merges += 1
            for row in rows:
                self.duplicates += row.order_id in self.rows
                self.rows.setdefault(row.order_id, row)  # WHEN NOT MATCHED THEN INSERT
