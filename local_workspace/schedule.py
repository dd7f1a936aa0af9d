"""Scheduled jobs: a job whose `schedule` is UNPAUSED gets a run at each time its quartz expression
names, while `POST /_fake/config {"run_schedules": true}` is set (off by default: a test's jobs
must not start on their own).

Only the forms the project writes are understood: `0 <minute> * * * ?`, minute `*`, `M` or `M/N`
(e.g. `0 0/10 * * * ?`, every ten minutes from the hour). Any other expression is refused: the
job gets one run ending INTERNAL_ERROR whose message says so, visible through runs/list. Minutes are
read in UTC, whatever `timezone_id` says: the same minutes in every zone a whole number of hours away.

`schedule_speed` (a control setting, not the platform's: `make demo` uses it) runs the scheduler's
clock that many times faster than the wall clock from the moment it is set, so a job every ten minutes
fires every minute at 10; every minute the fast clock passes is a minute that fires."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

from .store import Store

MINUTE = re.compile(r"(\*|\d{1,2})(?:/(\d{1,2}))?")


def minutes(expression: str) -> set[int]:
    """The minutes of each hour `expression` fires at; ValueError for a form not understood."""
    fields = str(expression).split()
    ok = len(fields) in (6, 7) and fields[0] == "0" and fields[2:5] == ["*", "*", "*"] and \
        fields[5] in ("?", "*") and fields[6:] in ([], ["*"])
    match = MINUTE.fullmatch(fields[1]) if ok else None
    if not match:
        raise ValueError(f"the local workspace's scheduler understands only quartz expressions "
                         f"'0 <minute> * * * ?' (minute *, M or M/N), not {expression!r}")
    start = 0 if match.group(1) == "*" else int(match.group(1))
    step = int(match.group(2)) if match.group(2) else (1 if match.group(1) == "*" else 60)  # M alone: once
    if start > 59 or step < 1 or (match.group(2) and step > 59):
        raise ValueError(f"quartz minute field {fields[1]!r}: a start of 0-59 and a step of 1-59")
    return set(range(start, 60, step))


class Scheduler:
    """A thread that, once a second, starts the runs that are due."""

    def __init__(self, store: Store, tick_s: float = 1.0):
        self.store, self.tick_s = store, tick_s
        self.fired: dict[str, str] = {}  # job id -> the minute it last fired (YYYY-mm-dd HH:MM)
        self.refused: set[tuple[str, str]] = set()  # (job id, expression) reported once
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="scheduler")
        self.anchor: tuple | None = None  # (wall clock, scheduler clock, speed) when the speed was set
        self.last: datetime | None = None

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(5)

    def _loop(self) -> None:
        while not self.stopping.wait(self.tick_s):
            if self.store.config.get("run_schedules"):
                for moment in self.moments(datetime.now(timezone.utc)):
                    self.tick(moment)

    def moments(self, wall: datetime) -> list[datetime]:
        """The scheduler's clock now, after each minute it passed since the last tick (at most 60)."""
        speed = min(max(float(self.store.config.get("schedule_speed") or 1), 1.0), 600.0)
        if self.anchor is None or self.anchor[2] != speed:
            self.anchor = (wall, self.last or wall, speed)
        now = self.anchor[1] + (wall - self.anchor[0]) * speed
        passed, minute = [], (self.last or now).replace(second=0, microsecond=0) + timedelta(minutes=1)
        while minute <= now and len(passed) < 60:
            passed.append(minute)
            minute += timedelta(minutes=1)
        self.last = now
        return passed + [now]

    def tick(self, now: datetime) -> None:
        from .runs import refuse_schedule, start_job_run

        minute = now.strftime("%Y-%m-%d %H:%M")
        with self.store.lock:
            for job in self.store.all("jobs"):
                schedule = job["settings"].get("schedule") or {}
                expression, key = schedule.get("quartz_cron_expression"), str(job["job_id"])
                if not expression or schedule.get("pause_status") == "PAUSED" or self.fired.get(key) == minute:
                    continue
                try:
                    due = now.minute in minutes(expression)
                except ValueError as error:
                    if (key, expression) not in self.refused:
                        self.refused.add((key, expression))
                        refuse_schedule(self.store, job, str(error))
                    continue
                if due:
                    self.fired[key] = minute
                    start_job_run(self.store, job, {}, trigger="PERIODIC")
