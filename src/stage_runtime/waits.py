"""Bounded waits: every wait has a timeout and fails with a message saying what to check."""

from __future__ import annotations

import time
from typing import Callable


def wait_for_first_file(w, folder: str, timeout_s: float, poll_s: float = 5.0, hint: str = "",
                        sleep: Callable[[float], None] = time.sleep,
                        clock: Callable[[], float] = time.monotonic) -> str:
    """Return the path of the first non-empty file under `folder` (two levels deep)."""
    from databricks.sdk.errors import NotFound

    deadline = clock() + timeout_s
    while True:
        try:
            found = _first_file(w, folder, depth=2)
        except NotFound:
            found = None
        if found:
            return found
        if clock() >= deadline:
            raise TimeoutError(f"no file arrived in {folder} within {timeout_s:g} s" + (f"; {hint}" if hint else ""))
        sleep(poll_s)


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
                   clock: Callable[[], float] = time.monotonic) -> None:
    """Return once the Unity Catalog table exists."""
    deadline = clock() + timeout_s
    while not w.tables.exists(full_name).table_exists:
        if clock() >= deadline:
            raise TimeoutError(f"table {full_name} did not appear within {timeout_s:g} s" + (f"; {hint}" if hint else ""))
        sleep(poll_s)
