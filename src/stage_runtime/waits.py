"""Bounded waits: every wait has a timeout, says what it waits for and for how long as it goes,
and fails with a message saying what to check."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")
REPORT_EVERY_S = 30.0  # a line of progress at most this often


def wait_until(check: Callable[[], T | None], what: str, timeout_s: float, poll_s: float, hint: str = "",
               sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
               say: Callable[[str], None] = print, max_poll_s: float | None = None) -> T:
    """Poll `check` until it returns something truthy, printing progress; TimeoutError after
    `timeout_s`. With `max_poll_s` the interval doubles from `poll_s` up to it (quick when the
    thing is quick, few calls when it takes many minutes)."""
    started = clock()
    deadline, next_report = started + timeout_s, started + REPORT_EVERY_S
    say(f"waiting for {what} (up to {timeout_s:g} s)")
    while True:
        found = check()
        if found:
            say(f"{what}: done after {clock() - started:.0f} s")
            return found
        now = clock()
        if now >= deadline:
            raise TimeoutError(f"{what}: nothing within {timeout_s:g} s" + (f"; {hint}" if hint else ""))
        if now >= next_report:
            say(f"still waiting for {what}: {now - started:.0f} s of {timeout_s:g} s")
            next_report = now + REPORT_EVERY_S
        sleep(poll_s)
        if max_poll_s:
            poll_s = min(poll_s * 2, max_poll_s)


class RunFailed(RuntimeError):
    """The job run a wait depends on ended without success: nothing more will come."""


def wait_for_first_file(w, folder: str, timeout_s: float, poll_s: float = 5.0, hint: str = "",
                        sleep: Callable[[float], None] = time.sleep,
                        clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = print,
                        run_id: int | None = None) -> str:
    """Return the path of the first non-empty file under `folder` (two levels deep). With `run_id`
    (the run that writes it), a run that ends without success and without a file fails the wait at once."""
    from databricks.sdk.errors import NotFound

    def check():
        try:
            found = _first_file(w, folder, depth=2)
        except NotFound:
            found = None
        if found is None and run_id is not None:
            _fail_if_ended(w, run_id, folder)
        return found

    return wait_until(check, f"a first file in {folder}", timeout_s, poll_s, hint, sleep, clock, say)


def _fail_if_ended(w, run_id: int, folder: str) -> None:
    state = w.jobs.get_run(run_id).state
    life = state.life_cycle_state.value if state and state.life_cycle_state else ""
    result = state.result_state.value if state and state.result_state else ""
    # SKIPPED is not an end of the writing: another run of the job (a scheduled one) is active and writes
    if life in ("TERMINATED", "INTERNAL_ERROR") and result not in ("SUCCESS", "SKIPPED"):
        raise RunFailed(f"run {run_id} ended {result or life} before writing into {folder}: "
                        f"{(state.state_message or '').strip()[:500]}")


def _first_file(w, folder: str, depth: int) -> str | None:
    for entry in w.files.list_directory_contents(folder):
        if not entry.is_directory and (entry.file_size or 0) > 0:
            return entry.path
        if entry.is_directory and depth > 1:
            nested = _first_file(w, entry.path, depth - 1)
            if nested:
                return nested
    return None


def wait_for_table(w, full_name: str, timeout_s: float, poll_s: float = 10.0, hint: str = "",
                   sleep: Callable[[float], None] = time.sleep,
                   clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = print) -> None:
    """Return once the Unity Catalog table exists."""
    wait_until(lambda: w.tables.exists(full_name).table_exists, f"table {full_name}", timeout_s, poll_s, hint,
               sleep, clock, say)


class EndpointFailed(RuntimeError):
    pass


def wait_for_endpoint(w, name: str, timeout_s: float, poll_s: float = 2.0, max_poll_s: float = 30.0,
                      hint: str = "", sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = print) -> None:
    """Return once the serving endpoint is READY with no update in progress; EndpointFailed at
    once when its last update failed (waiting longer would not help)."""

    def check():
        state = w.serving_endpoints.get(name).state
        update = state.config_update.value if state and state.config_update else ""
        if update == "UPDATE_FAILED":
            raise EndpointFailed(f"serving endpoint {name}: its configuration update failed; open the endpoint's "
                                 "events and build logs under Serving in the workspace" + (f"; {hint}" if hint else ""))
        return state is not None and state.ready is not None and state.ready.value == "READY" \
            and update in ("", "NOT_UPDATING")

    wait_until(check, f"serving endpoint {name} to be READY", timeout_s, poll_s, hint, sleep, clock, say, max_poll_s)


def wait_for_database_instance(w, name: str, timeout_s: float, poll_s: float = 2.0, max_poll_s: float = 20.0,
                               hint: str = "", sleep: Callable[[float], None] = time.sleep,
                               clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = print) -> None:
    """Return once the Lakebase instance is AVAILABLE; at once with an error when it is stopped or
    failed (waiting would not change that)."""

    def check():
        state = w.database.get_database_instance(name).state
        value = state.value if state else ""
        if value in ("STOPPED", "FAILING", "DELETING"):
            raise RuntimeError(f"Lakebase instance {name} is {value}: start or recreate it under Compute > "
                               "Database instances" + (f"; {hint}" if hint else ""))
        return value == "AVAILABLE"

    wait_until(check, f"Lakebase instance {name} to be AVAILABLE", timeout_s, poll_s, hint, sleep, clock, say,
               max_poll_s)


class PipelineUpdateFailed(RuntimeError):
    pass


def wait_for_pipeline_update(w, pipeline_id: str, update_id: str, timeout_s: float, poll_s: float = 5.0,
                             max_poll_s: float = 30.0, hint: str = "", sleep: Callable[[float], None] = time.sleep,
                             clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = print) -> None:
    """Return once the pipeline update is COMPLETED; PipelineUpdateFailed at once when it FAILED or
    was CANCELED."""

    def check():
        state = w.pipelines.get_update(pipeline_id=pipeline_id, update_id=update_id).update.state
        value = state.value if state else ""
        if value in ("FAILED", "CANCELED"):
            raise PipelineUpdateFailed(f"pipeline {pipeline_id}: update {update_id} {value}; open the pipeline's "
                                       "event log under Jobs & Pipelines" + (f"; {hint}" if hint else ""))
        return value == "COMPLETED"

    wait_until(check, f"update {update_id} of pipeline {pipeline_id}", timeout_s, poll_s, hint, sleep, clock, say,
               max_poll_s)
