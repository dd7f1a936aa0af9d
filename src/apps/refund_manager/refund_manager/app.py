"""The Refund Manager's HTTP surface: the page, and a JSON API over Postgres and the warehouse.

  GET  /                             the page (static/index.html)
  GET  /healthz, /api/health         whether the database answers (200, or 503)
  GET  /api/me                       who acts, and whether that is the local mode's stand-in
  GET  /api/summary                  counts and amounts: recommended, pending, decided, refunded
  GET  /api/recommendations          ?status=pending|decided|all&limit=&after=<cursor>&include_zero=
  POST /api/refunds                  {order_id, amount_usd, refund_class, reason}: one decision per order
  GET  /api/orders/{order_id}/events the order's timeline, through the warehouse

Every error is JSON, `{"error": {"code", "message"}}`, with a status that says whose problem it is
(401 no identity, 403 cross-origin or approval needed, 404 an unknown order, 409 already decided,
413 too large, 422 the request, 502 the warehouse, 503 the database); no stack trace reaches the user.
The front door (appkit/security.py) and the decision rules (rules.py) say more.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from appkit import events
from appkit.fields import Text
from appkit.http import actor, app_with_database, error, install_handlers
from appkit.postgres import oauth_token

from . import db
from .settings import Settings, SettingsError, from_env

ORDER_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
STATIC = Path(__file__).parent / "static"
log = logging.getLogger("refund_manager")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: str = Field(pattern=ORDER_ID)
    amount_usd: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    refund_class: Literal["none", "partial", "full"]
    reason: Text = Field(min_length=1, max_length=500)


def create_app(settings: Settings | None = None, pool: Any = None, workspace: Any = None) -> FastAPI:
    """The app; without arguments everything comes from the environment when it starts."""
    state: dict[str, Any] = {"workspace": workspace}
    app = app_with_database("Refund Manager", STATIC, log, state, settings, from_env, pool,
                            lambda current: db.open_pool(current, token=oauth_token), db.Store)
    _errors(app)

    def store() -> db.Store:
        return state["store"]

    @app.get("/api/summary")
    def summary() -> dict:
        return store().summary()

    @app.get("/api/recommendations")
    def recommendations(status: Literal["pending", "decided", "all"] = "pending",
                        limit: int = Query(25, ge=1, le=200), after: str | None = Query(None, max_length=400),
                        include_zero: bool = False) -> dict:
        page = store().recommendations(status, limit, after, include_zero)
        return {"status": status, "limit": limit, "include_zero": include_zero, **page}

    @app.post("/api/refunds", status_code=201)
    def decide(body: DecisionIn, request: Request) -> dict:
        who = actor(request)
        if not body.reason.strip():
            return error(422, "INVALID_REQUEST", "reason: write why")
        return store().decide(db.Decision(body.order_id, body.amount_usd, body.refund_class, body.reason.strip(),
                                          who.user, who.approver))

    @app.get("/api/orders/{order_id}/events")
    def order_events(order_id: str) -> dict:
        if not re.match(ORDER_ID, order_id):
            return error(422, "INVALID_REQUEST", "order_id: letters, digits, _ and - only (at most 64)")
        current = state["settings"]
        if state["workspace"] is None:
            from databricks.sdk import WorkspaceClient

            state["workspace"] = WorkspaceClient()
        found = events.order_events(state["workspace"], current.warehouse_id, current.events_sql_name, order_id)
        if not found:
            return error(404, "UNKNOWN_ORDER", f"no events for order {order_id}")
        return {"order_id": order_id, "events": found}

    return app


def _errors(app: FastAPI) -> None:
    """403 approval needed, 404 an unknown order, 409 already decided, 422 out of bounds, 502 the
    warehouse, 503 the database."""
    def conflict(exc: db.Conflict) -> JSONResponse:
        first = exc.existing
        return error(409, "ALREADY_DECIDED", f"order {first['order_id']} was already decided by {first['decided_by']}",
                     decision=first)

    install_handlers(app, log, {
        db.UnknownOrder: lambda exc: error(404, "UNKNOWN_ORDER", f"no recommendation for order {exc.args[0]}"),
        db.Conflict: conflict,
        db.Unavailable: lambda exc: error(503, "DATABASE_UNAVAILABLE", str(exc)),
        events.WarehouseError: lambda exc: error(502, "WAREHOUSE_ERROR", str(exc)),
        SettingsError: lambda exc: error(500, "MISCONFIGURED", str(exc)),
    })


app = create_app()
