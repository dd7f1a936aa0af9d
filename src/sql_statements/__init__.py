"""One way to run a statement on a SQL warehouse, for every caller (the agents' tools, the apps, the
jobs): parameters bound, never pasted; the answer polled while the warehouse says PENDING or RUNNING
(the Statement Execution API answers so whenever a statement outlives `wait_timeout`); every chunk of
the result read, not only the first. Shipped at the bundle's root and into each app's folder
(spec/bundle.yaml, `assets`), and with each logged agent."""

from __future__ import annotations

import time
from typing import Any, Callable

POLL_S = 1.0


class StatementFailed(RuntimeError):
    """The warehouse answered, and the statement failed, was canceled, or did not finish in time."""


def rows(w: Any, warehouse_id: str, statement: str, parameters: dict[str, str] | None = None,
         timeout_s: float = 60.0, wait_timeout: str = "30s", sleep: Callable[[float], None] = time.sleep,
         clock: Callable[[], float] = time.monotonic) -> list[dict]:
    """The statement's rows as dicts (column name -> value, as JSON_ARRAY text)."""
    from databricks.sdk.service.sql import StatementParameterListItem, StatementState

    answer = w.statement_execution.execute_statement(
        statement=statement, warehouse_id=warehouse_id, wait_timeout=wait_timeout,
        parameters=[StatementParameterListItem(name=k, value=v, type="STRING") for k, v in (parameters or {}).items()])
    deadline = clock() + timeout_s
    while answer.status and answer.status.state in (StatementState.PENDING, StatementState.RUNNING):
        if clock() > deadline:
            w.statement_execution.cancel_execution(answer.statement_id)
            raise StatementFailed(f"statement {answer.statement_id} did not finish within {timeout_s:g} s; canceled")
        sleep(POLL_S)
        answer = w.statement_execution.get_statement(answer.statement_id)
    state = answer.status.state if answer.status else None
    if state != StatementState.SUCCEEDED:
        error = answer.status.error.message if answer.status and answer.status.error else str(state)
        raise StatementFailed(f"statement failed: {error}")
    columns = [c.name for c in (answer.manifest.schema.columns or [])] if answer.manifest else []
    data, chunk = [], answer.result
    while chunk is not None:
        data += chunk.data_array or []
        if chunk.next_chunk_index is None:
            break
        chunk = w.statement_execution.get_statement_result_chunk_n(answer.statement_id, chunk.next_chunk_index)
    return [dict(zip(columns, row)) for row in data]
