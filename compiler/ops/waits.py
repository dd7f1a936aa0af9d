"""How long the local operator commands wait, and what a wait that runs out becomes.

Every wait has a generous default for an idle two-core machine. `OPS_WAIT_SCALE` (a number,
default 1) multiplies them all, and a machine busier than its cores (one-minute load average over
the core count) stretches them by that ratio, so a slow machine waits longer instead of failing.
A wait that still runs out is an operator error naming what was waited for (O124), never a crash.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from .errors import OpsError

SCALE_VARIABLE = "OPS_WAIT_SCALE"


def scale() -> float:
    raw = os.environ.get(SCALE_VARIABLE, "").strip()
    try:
        chosen = float(raw) if raw else 1.0
    except ValueError:
        raise OpsError("O124", f"{SCALE_VARIABLE}={raw!r} is not a number",
                       f"set {SCALE_VARIABLE} to a factor such as 2 (every local wait twice as long)") from None
    try:
        busy = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # no load average on this system
        busy = 1.0
    return max(chosen, 0.01) * max(1.0, busy)


def seconds(default: float) -> float:
    """A wait of `default` seconds on an idle machine, scaled to this one."""
    return default * scale()


@contextmanager
def waiting_for(what: str, limit_s: float | None = None):
    """Turn a wait that ran out (TimeoutError, the SDK's included; an HTTP client's timeout) into
    O124 naming `what`."""
    try:
        yield
    except (TimeoutError, *_timeouts()) as err:
        after = f" after {limit_s:.0f} s" if limit_s else ""
        raise OpsError("O124", f"timed out{after} waiting for {what} ({type(err).__name__}: "
                               f"{str(err).splitlines()[0][:160] if str(err) else 'no answer'})",
                       f"the machine or the workspace may be busy: try again, or wait longer with "
                       f"{SCALE_VARIABLE}=3 (every local wait three times as long)") from None


def _timeouts() -> tuple[type[BaseException], ...]:
    """The timeout exceptions of the HTTP clients the local commands use (when installed)."""
    found: list[type[BaseException]] = []
    try:
        import requests

        found.append(requests.Timeout)
    except ImportError:
        pass
    try:
        import httpx

        found.append(httpx.TimeoutException)
    except ImportError:
        pass
    try:
        import openai

        found.append(openai.APITimeoutError)
    except ImportError:
        pass
    return tuple(found) or (TimeoutError,)
