"""An order's timeline, read through the SQL warehouse with a parameterised statement (the order
id is a bound parameter; the table name comes from the app's `all-events` resource, checked and
quoted)."""

from __future__ import annotations

from typing import Any


class WarehouseError(RuntimeError):
    pass


def order_events(w: Any, warehouse_id: str, table_sql: str, order_id: str) -> list[dict]:
    import sql_statements

    try:  # in time order: `sequence` is the lifecycle position, and a driver may arrive before the food is ready
        return sql_statements.rows(
            w, warehouse_id, f"SELECT event_type, ts, sequence, body FROM {table_sql} "
                             "WHERE order_id = :order_id AND event_type <> 'driver_ping' ORDER BY ts, sequence",
            {"order_id": order_id})
    except sql_statements.StatementFailed as err:
        raise WarehouseError(f"the order's events could not be read: {str(err)[:200]}") from None
    except Exception as err:  # noqa: BLE001 - the warehouse's own words, without a trace
        raise WarehouseError(f"the warehouse could not be asked ({type(err).__name__}); check the app's "
                             "sql-warehouse resource") from err
