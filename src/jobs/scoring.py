"""The engine of the agent streams: score what is pending with an agent endpoint, exactly once, as
plain functions over a `Sink` (a Delta table on Databricks, Postgres in `make app-local`, memory in
tests). The refund stream (refund_stream.py) and the complaint stream (complaint_stream.py) are this
engine plus what is their own: what an item is, the question it becomes, the row an answer makes,
the answer's schema and the row stored when no valid answer comes.

Each run: the sink lists what is pending (an anti-join on the key, newest first, at most `cap`),
the endpoint is asked with bounded concurrency, and rows are merged by key in chunks as they come.
So a rerun, a retry of the job or a crash mid-batch creates no duplicate (merge by key) and loses
nothing (what was not merged is pending again next run); items past the cap, and items not started
when the run's time budget (`budget_s`) is spent, wait for the next run.
A scheduled run works in rounds (`round_size`): it lists the newest pending again after each round,
so an item that arrives while a long run works through a backlog is scored within about one round.

Why newest first: a stream that falls behind (the replay's first catch-up releases tens of thousands
of delivered orders at once) would otherwise spend days on old orders while every new one waits.
Newest first, each run scores what arrived since the last one and spends what is left of its cap
and budget on the backlog, from its newest end; nothing is skipped for good, only scored later.
429, 5xx and timeouts are retried with exponential backoff and jitter, and an item still failing is
left pending (deferred) and counted; an answer that is not valid after `invalid_tries` calls is
stored as the stream's error row and counted.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol


class Sink(Protocol):
    def pending(self, cap: int) -> list[Any]: ...

    def merge(self, rows: list[Any]) -> None: ...


@dataclass(frozen=True)
class Scoring:
    """What one stream makes of the engine."""
    key: Callable[[Any], str]  # an item's key (what the sink merges on)
    question: Callable[[Any], Any]  # what `ask` is given for an item
    row: Callable[[Any, datetime, str], Any]  # the row for an item, when it was scored and the answer
    check: Callable[[str], Any]  # raises ValueError for an answer that is not the agent's
    error_response: Callable[[Any, str], str]  # the answer stored after invalid_tries invalid ones
    is_error: Callable[[str], bool]  # an answer that is an error row


SCHEDULED_BUDGET_S = 8 * 60.0  # the stream jobs run every 10 minutes: a run stops starting items before the next is due
SCHEDULED_ROUND = 64  # items per listing in a scheduled run: four turns of a Medium endpoint's 16 at once


@dataclass
class Settings:
    cap: int = 200  # items per run
    concurrency: int = 16  # what a Medium endpoint serves at once
    attempts: int = 5  # tries per call on 429 / 5xx / timeout
    invalid_tries: int = 3  # calls per item whose answer is not the agent's JSON
    backoff_s: float = 0.5  # first wait; doubles, with jitter, up to max_backoff_s
    max_backoff_s: float = 8.0
    chunk: int = 25  # rows merged together
    budget_s: float | None = None  # wall time after which no new item is started (the rest waits)
    # None: one listing of at most `cap`. A number: rounds of at most that many, each listing the
    # newest pending again, so what arrives during a long run is scored within about one round.
    round_size: int | None = None


@dataclass
class RunSummary:
    pending: int = 0
    scored: int = 0
    errors: int = 0  # stored as error rows
    deferred: int = 0  # left pending for the next run
    waiting: int = 0  # not started: the run's time budget was spent
    calls: int = 0
    retries: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.pending} pending: {self.scored} scored ({self.errors} stored as errors), {self.deferred} "
                f"deferred to the next run, {self.waiting} not started (time budget spent); "
                f"{self.calls} calls, {self.retries} retried")


class Transient(Exception):
    """A call that may succeed if tried again (429, 5xx, timeouts, dropped connections)."""


class _Stopped(Exception):
    """An item not started because the run crashed."""


class _OutOfTime(Exception):
    """An item not started because the run's time budget was spent."""


def run(sink: Sink, ask: Callable[[Any], str], scoring: Scoring, settings: Settings = Settings(),
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
        say: Callable[[str], None] = print, noun: str = "item(s)",
        clock: Callable[[], float] = time.monotonic) -> RunSummary:
    """One run: score the pending items through `ask(question) -> answer text` (which raises
    Transient for what may pass on a retry) and merge the rows as they come."""
    rng = rng or random.Random()
    deadline = None if settings.budget_s is None else clock() + settings.budget_s
    summary = RunSummary()
    lock, merging = threading.Lock(), threading.Lock()  # one merge at a time: no write conflicts with ourselves
    ready: list[Any] = []
    answered: set[str] = set()  # keys whose rows are merged (or about to be)
    crashed = threading.Event()

    def flush(force: bool = False) -> None:
        with merging:
            with lock:
                if crashed.is_set() or not ready or (len(ready) < settings.chunk and not force):
                    return
                batch = list(ready)
                ready.clear()
            sink.merge(batch)
        say(f"merged {len(batch)} row(s)")

    def score(item: Any) -> str:
        if crashed.is_set():
            raise _Stopped()
        if deadline is not None and clock() >= deadline:
            raise _OutOfTime()
        try:
            text = _answer(item, ask, scoring, settings, summary, lock, sleep, rng)
        except Transient:
            raise
        except BaseException:
            crashed.set()  # a bug or a lost cluster stops the run: nothing more is asked or merged
            raise
        row = scoring.row(item, now(), text)
        with lock:
            ready.append(row)
            answered.add(scoring.key(item))
        flush()
        return text

    left, unmerged = settings.cap, set()  # unmerged: deferred this run, listed again but not retried now
    with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        while left > 0 and (summary.pending == 0 or deadline is None or clock() < deadline):
            want = left if settings.round_size is None else min(left, settings.round_size)
            items = [item for item in sink.pending(want + len(unmerged))
                     if scoring.key(item) not in unmerged][:want]
            if not items:
                break
            say(f"{len(items)} {noun} to score (cap {settings.cap}, {settings.concurrency} at a time)"
                if settings.round_size is None else
                f"{len(items)} newest pending {noun} to score ({settings.cap - left} of the cap {settings.cap} "
                f"done, {settings.concurrency} at a time)")
            summary.pending += len(items)
            left -= len(items)
            before = summary.scored
            futures = {pool.submit(score, item): item for item in items}
            _collect(futures, summary, scoring)
            flush(force=True)  # before the next listing, which must not find them pending
            unmerged.update(scoring.key(item) for item in items if scoring.key(item) not in answered)
            if settings.round_size is None or summary.waiting or summary.scored == before:
                break
    say(summary.line())
    return summary


def _collect(futures: dict, summary: RunSummary, scoring: Scoring) -> None:
    """Count the outcomes; the first crash is raised once every thread has stopped (what was
    not merged is pending again next run)."""
    crash: BaseException | None = None
    for future in as_completed(futures):
        try:
            text = future.result()
        except _Stopped:
            continue
        except _OutOfTime:
            summary.waiting += 1
            continue
        except Transient as err:
            summary.deferred += 1
            summary.problems.append(f"{scoring.key(futures[future])}: {err}")
            continue
        except BaseException as err:
            crash = crash or err
            continue
        summary.scored += 1
        summary.errors += scoring.is_error(text)
    if crash is not None:
        raise crash


def _answer(item: Any, ask, scoring: Scoring, settings: Settings, summary: RunSummary, lock, sleep, rng) -> str:
    problem = ""
    for _ in range(settings.invalid_tries):
        text = _call(scoring.question(item), ask, settings, summary, lock, sleep, rng)
        try:
            scoring.check(text)
            return text
        except ValueError as err:
            problem = f"invalid answer: {err}: {text[:120]!r}"
    return scoring.error_response(item, problem)


def _call(question: Any, ask, settings: Settings, summary: RunSummary, lock, sleep, rng) -> str:
    wait = settings.backoff_s
    for attempt in range(settings.attempts):
        with lock:
            summary.calls += 1
        try:
            return ask(question)
        except Transient:
            if attempt == settings.attempts - 1:
                raise
            with lock:
                summary.retries += 1
            sleep(min(wait, settings.max_backoff_s) * (0.5 + rng.random()))
            wait *= 2
    raise AssertionError("unreachable")


def endpoint_asker(client: Any, endpoint: str, prompt: Callable[[Any], str], timeout_s: float = 60.0
                   ) -> Callable[[Any], str]:
    """`ask` for an agent endpoint through the OpenAI Responses API, the user message being
    `prompt(question)`; transient failures become Transient (the OpenAI client's own retries are
    off: the stream's backoff is the only one)."""
    import openai

    transient = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError,
                 openai.APIConnectionError)

    def ask(question: Any) -> str:
        try:
            answer = client.with_options(timeout=timeout_s, max_retries=0).responses.create(
                model=endpoint, input=[{"role": "user", "content": prompt(question)}])
        except transient as err:
            raise Transient(f"{type(err).__name__}: {str(err)[:160]}") from None
        except openai.APIStatusError as err:
            if err.status_code in (404, 503):  # not there yet, or not ready: a later run will find it
                raise Transient(f"endpoint {endpoint}: {err.status_code}") from None
            raise
        return answer.output_text

    return ask


class MemorySink:
    """The sink's contract in memory: what the tests (and the benchmark) hold the streams to.
    `items` are what could be pending; `key` gives an item's key and a row's key alike."""

    def __init__(self, items: list[Any], key: Callable[[Any], str], order: Callable[[Any], Any]):
        self.items, self.key, self.order = list(items), key, order
        self.rows: dict[str, Any] = {}
        self.merges = 0
        self.duplicates = 0  # rows merged for a key that already had one (the MERGE drops them)
        self.lock = threading.Lock()

    def pending(self, cap: int) -> list[Any]:
        with self.lock:
            todo = [item for item in self.items if self.key(item) not in self.rows]
        return sorted(todo, key=self.order, reverse=True)[:cap]  # newest first

    def merge(self, rows: list[Any]) -> None:
        with self.lock:
            self.merges += 1
            for row in rows:
                self.duplicates += self.key(row) in self.rows
                self.rows.setdefault(self.key(row), row)  # WHEN NOT MATCHED THEN INSERT
