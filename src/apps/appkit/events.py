"""An order's timeline, read through the SQL warehouse with a parameterised statement (the order
id is a bound parameter; the table name comes from the app's `all-events` resource, checked and
quoted)."""

from __future__ import annotations

from typing import Any


class WarehouseError(RuntimeError):
    pass


def order_events(w: Any, warehouse_id: str, table_sql: str, order_id: str) -> list[dict]:
    from databricks.sdk.service.sql import StatementParameterListItem, StatementState

    try:  # in time order: `sequence` is the lifecycle position, and a driver may arrive before the food is ready
        response = w.statement_execution.execute_statement(
            statement=f"SELECT event_type, ts, sequence, body FROM {table_sql} "
                      "WHERE order_id = :order_id AND event_type <> 'driver_ping' ORDER BY ts, sequence",
            warehouse_id=warehouse_id, wait_timeout="30s",
            parameters=[StatementParameterListItem(name="order_id", value=order_id)])
    except Exception as err:  # noqa: BLE001 - the warehouse's own words, without a trace
        raise WarehouseError(f"the warehouse could not be asked ({type(err).__name__}); check the app's "
                             "sql-warehouse resource") from err
    state = response.status.state if response.status else None
    if state != StatementState.SUCCEEDED:
        message = response.status.error.message if response.status and response.status.error else str(state)
        raise WarehouseError(f"the order's events could not be read: {message[:200]}")
    columns = [c.name for c in response.manifest.schema.columns]
    rows = (response.result.data_array if response.result else None) or []
    return [dict(zip(columns, row)) for row in rows]
