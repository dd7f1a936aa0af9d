"""The Support Console's HTTP surface: the page, and a JSON API over Postgres and the agent.

  GET  /                                      the page (static/index.html)
  GET  /api/summary                           reports by status, escalations, offers, what was applied
  GET  /api/reports                           ?status=pending|in_progress|resolved|all&limit=&offset=
  GET  /api/reports/{id}                      one report: request, summaries, offers, draft, the user's
                                              other reports, actions, replies, rating
  POST /api/reports/{id}/actions              {action_type: apply_refund|apply_credit, amount_usd}: once each
  POST /api/reports/{id}/replies              {message_text}: the reply sent; the request is resolved
  POST /api/reports/{id}/rating               {rating: thumbs_up|thumbs_down, reason_code?, feedback_notes?}
  POST /api/reports/{id}/regenerate           asks the support agent's endpoint again; the new report is kept
  GET  /api/orders/{order_id}/events          the order's timeline, through the warehouse

Every error is JSON, `{"error": {"code", "message"}}`: 422 the request, 404 an unknown request, 409
already applied, 502 the agent, 503 the database; no stack trace reaches the user.
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
from appkit.http import actor, app_with_database, error, install_handlers
from appkit.postgres import oauth_token

from . import db
from .reports import case, parse_report
from .settings import Settings, SettingsError, from_env

REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # request and order ids
STATIC = Path(__file__).parent / "static"
log = logging.getLogger("support_console")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action_type: Literal["apply_refund", "apply_credit"]
    amount_usd: Decimal = Field(gt=0, max_digits=10, decimal_places=2)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message_text: str = Field(min_length=1, max_length=4000)


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Literal["thumbs_up", "thumbs_down"]
    reason_code: str | None = Field(default=None, max_length=64)
    feedback_notes: str | None = Field(default=None, max_length=2000)


class AgentError(RuntimeError):
    pass


def create_app(settings: Settings | None = None, pool: Any = None, workspace: Any = None) -> FastAPI:
    """The app; without arguments everything comes from the environment when it starts."""
    state: dict[str, Any] = {"workspace": workspace}
    app = app_with_database("Support Console", STATIC, log, state, settings, from_env, pool,
                            lambda current: db.open_pool(current, token=oauth_token), db.Store, db.Store.create_tables)
    _errors(app)

    def store() -> db.Store:
        return state["store"]

    def who(request: Request) -> str:
        return actor(request, state["settings"].local_user)

    def checked(request_id: str) -> str:
        if not REQUEST_ID.match(request_id):
            raise ValueError("ids: letters, digits, _ and - only (at most 64)")
        return request_id

    @app.get("/api/summary")
    def summary() -> dict:
        return store().summary()

    @app.get("/api/reports")
    def reports(status: Literal["pending", "in_progress", "resolved", "all"] = "all",
                limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> dict:
        return {"status": status, "limit": limit, "offset": offset, "items": store().list(status, limit, offset)}

    @app.get("/api/reports/{request_id}")
    def report(request_id: str) -> dict:
        return store().get(checked(request_id))

    @app.post("/api/reports/{request_id}/actions", status_code=201)
    def act(request_id: str, body: ActionIn, request: Request) -> dict:
        limit = Decimal(str(state["settings"].max_amount_usd))
        if body.amount_usd > limit:
            return error(422, "INVALID_REQUEST", f"amount_usd: at most {limit:.2f} (more than any order); "
                                                 f"got {body.amount_usd}")
        return store().apply(checked(request_id), body.action_type, body.amount_usd, who(request))

    @app.post("/api/reports/{request_id}/replies", status_code=201)
    def send(request_id: str, body: ReplyIn, request: Request) -> dict:
        if not body.message_text.strip():
            return error(422, "INVALID_REQUEST", "message_text: write the reply first")
        return store().reply(checked(request_id), body.message_text.strip(), who(request))

    @app.post("/api/reports/{request_id}/rating")
    def rate(request_id: str, body: RatingIn, request: Request) -> dict:
        return store().rate(checked(request_id), body.rating, body.reason_code, body.feedback_notes, who(request))

    @app.post("/api/reports/{request_id}/regenerate", status_code=201)
    def regenerate(request_id: str, request: Request) -> dict:
        found = store().case_of(checked(request_id))
        text = _ask_agent(state, case(found))
        parsed = parse_report(text)
        if not parsed["valid"]:
            raise AgentError("the agent's answer is not a support report; the previous report is kept")
        store().save_regenerated(request_id, text, who(request))
        return store().get(request_id)

    @app.get("/api/orders/{order_id}/events")
    def order_events(order_id: str) -> dict:
        current = state["settings"]
        if state["workspace"] is None:
            from databricks.sdk import WorkspaceClient

            state["workspace"] = WorkspaceClient()
        found = events.order_events(state["workspace"], current.warehouse_id, current.events_sql_name,
                                    checked(order_id))
        if not found:
            return error(404, "UNKNOWN_ORDER", f"no events for order {order_id}")
        return {"order_id": order_id, "events": found}

    return app


def _ask_agent(state: dict, payload: str) -> str:
    """The support agent endpoint's answer (MLflow Responses shape), through the workspace's API."""
    if state["workspace"] is None:
        from databricks.sdk import WorkspaceClient

        state["workspace"] = WorkspaceClient()
    endpoint = state["settings"].agent_endpoint
    try:
        answer = state["workspace"].api_client.do("POST", f"/serving-endpoints/{endpoint}/invocations",
                                                  body={"input": [{"role": "user", "content": payload}]})
        return answer["output"][-1]["content"][0]["text"]
    except Exception as err:  # noqa: BLE001 - the agent's trouble, said without a trace
        log.warning("regenerate via %s failed: %s", endpoint, err)
        raise AgentError(f"the support agent ({endpoint}) could not answer ({type(err).__name__}); "
                         "try again in a minute") from None


def _errors(app: FastAPI) -> None:
    """422 the request, 404 an unknown request, 409 already applied, 502 the agent or the warehouse,
    503 the database."""
    def applied(exc: db.AlreadyApplied) -> JSONResponse:
        first = exc.existing
        return error(409, "ALREADY_APPLIED", f"{first['action_type']} was already applied by {first['actor']} "
                                             f"({first['amount_usd']:.2f})", action=first)

    install_handlers(app, log, {
        ValueError: lambda exc: error(422, "INVALID_REQUEST", str(exc)),
        db.UnknownRequest: lambda exc: error(404, "UNKNOWN_REQUEST", f"no report for support request {exc.args[0]}"),
        db.AlreadyApplied: applied,
        db.Unavailable: lambda exc: error(503, "DATABASE_UNAVAILABLE", str(exc)),
        events.WarehouseError: lambda exc: error(502, "WAREHOUSE_ERROR", str(exc)),
        AgentError: lambda exc: error(502, "AGENT_ERROR", str(exc)),
        SettingsError: lambda exc: error(500, "MISCONFIGURED", str(exc)),
    })


app = create_app()
