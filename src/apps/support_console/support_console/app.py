"""The Support Console's HTTP surface: the page, and a JSON API over Postgres and the agent.

  GET  /                                      the page (static/index.html)
  GET  /healthz, /api/health                  whether the database answers (200, or 503)
  GET  /api/me                                who acts, and whether that is the local mode's stand-in
  GET  /api/summary                           reports by status, escalations, offers, what was applied
  GET  /api/reports                           ?status=pending|in_progress|resolved|all&q=&limit=&after=
  GET  /api/reports/{id}                      one report: request, summaries, offers, reply texts, the
                                              user's other reports, actions, replies, regenerations, rating
  POST /api/reports/{id}/actions              {action_type: apply_refund|apply_credit, amount_usd}: once each
  POST /api/reports/{id}/replies              {message_text, apply: recommended|nothing, reply_token}
  POST /api/reports/{id}/rating               {rating: thumbs_up|thumbs_down, reason_code?, feedback_notes?}
  POST /api/reports/{id}/regenerate           {operator_context?}: asks the support agent again
  GET  /api/orders/{order_id}/events          the order's timeline, through the warehouse

Every error is JSON, `{"error": {"code", "message"}}`: 401 no identity, 403 cross-origin or approval
needed, 404 an unknown request, 409 already applied, 413 too large, 422 the request (an untrue reply
included), 502 the agent or the warehouse, 503 the database; no stack trace reaches the user. The
front door is appkit/security.py; what each action may do is workflow.py.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from appkit import events
from appkit.fields import Text
from appkit.http import actor, app_with_database, error, install_handlers
from appkit.postgres import oauth_token

from . import db, workflow
from .reports import case, parse_report
from .settings import Settings, SettingsError, from_env

REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # request and order ids
TOKEN = r"^[A-Za-z0-9_-]{8,64}$"
REASONS = Literal["incorrect_facts", "wrong_refund_amount", "wrong_credit_amount", "should_escalate",
                  "should_not_escalate", "poor_tone", "unclear_response", "other"]
STATIC = Path(__file__).parent / "static"
log = logging.getLogger("support_console")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action_type: Literal["apply_refund", "apply_credit"]
    amount_usd: Decimal = Field(gt=0, max_digits=10, decimal_places=2)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message_text: Text = Field(min_length=1, max_length=4000)
    apply: Literal["recommended", "nothing"]  # the report's offers applied with the reply, or none
    reply_token: str = Field(pattern=TOKEN)  # one per reply the page prepares: a double submit sends one


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Literal["thumbs_up", "thumbs_down"]
    reason_code: REASONS | None = None
    feedback_notes: Text | None = Field(default=None, max_length=2000)


class RegenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operator_context: Text = Field(default="", max_length=1000)


class AgentError(RuntimeError):
    pass


def create_app(settings: Settings | None = None, pool: Any = None, workspace: Any = None) -> FastAPI:
    """The app; without arguments everything comes from the environment when it starts."""
    state: dict[str, Any] = {"workspace": workspace}
    app = app_with_database("Support Console", STATIC, log, state, settings, from_env, pool,
                            lambda current: db.open_pool(current, token=oauth_token), db.Store)
    _errors(app)

    def store() -> db.Store:
        return state["store"]

    def checked(request_id: str) -> str:
        if not REQUEST_ID.match(request_id):
            raise ValueError("ids: letters, digits, _ and - only (at most 64)")
        return request_id

    @app.get("/api/summary")
    def summary() -> dict:
        return store().summary()

    @app.get("/api/reports")
    def reports(status: Literal["pending", "in_progress", "resolved", "all"] = "all",
                q: Annotated[Text, Query(max_length=100)] = "", limit: int = Query(25, ge=1, le=200),
                after: str | None = Query(None, max_length=400)) -> dict:
        return {"status": status, "q": q, "limit": limit, **store().list(status, limit, after, q)}

    @app.get("/api/reports/{request_id}")
    def report(request_id: str) -> dict:
        return store().get(checked(request_id))

    @app.post("/api/reports/{request_id}/actions", status_code=201)
    def act(request_id: str, body: ActionIn, request: Request) -> dict:
        return workflow.apply(store(), checked(request_id), body.action_type, body.amount_usd, actor(request))

    @app.post("/api/reports/{request_id}/replies", status_code=201)
    def send(request_id: str, body: ReplyIn, request: Request):
        if not body.message_text.strip():
            return error(422, "INVALID_REQUEST", "message_text: write the reply first")
        sent, new = workflow.reply(store(), checked(request_id), body.message_text.strip(),
                                   body.apply == "recommended", body.reply_token, actor(request))
        return sent if new else JSONResponse({**sent, "duplicate": True}, status_code=200)

    @app.post("/api/reports/{request_id}/rating")
    def rate(request_id: str, body: RatingIn, request: Request) -> dict:
        if body.rating == "thumbs_down" and body.reason_code is None:
            return error(422, "INVALID_REQUEST", "reason_code: say what was wrong with the report")
        return workflow.rate(store(), checked(request_id), body.rating, body.reason_code, body.feedback_notes,
                             actor(request))

    @app.post("/api/reports/{request_id}/regenerate", status_code=201)
    def regenerate(request_id: str, request: Request, body: RegenerateIn | None = None) -> dict:
        context = (body.operator_context if body else "").strip()
        found = store().case_of(checked(request_id))
        text = _ask_agent(state, case(found, context, workflow.previous_report(store(), request_id)))
        if not parse_report(text)["valid"]:
            raise AgentError("the agent's answer is not a support report; the previous report is kept")
        workflow.save_regenerated(store(), request_id, text, context, actor(request))
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
    """404 an unknown request, 409 already applied, 422 the request, 502 the agent or the warehouse,
    503 the database."""
    def applied(exc: workflow.AlreadyApplied) -> JSONResponse:
        first = exc.existing
        return error(409, "ALREADY_APPLIED", f"{first['action_type']} was already applied by {first['actor']} "
                                             f"({first['amount_usd']:.2f})", action=first)

    install_handlers(app, log, {
        ValueError: lambda exc: error(422, "INVALID_REQUEST", str(exc)),
        db.UnknownRequest: lambda exc: error(404, "UNKNOWN_REQUEST", f"no report for support request {exc.args[0]}"),
        workflow.AlreadyApplied: applied,
        db.Unavailable: lambda exc: error(503, "DATABASE_UNAVAILABLE", str(exc)),
        events.WarehouseError: lambda exc: error(502, "WAREHOUSE_ERROR", str(exc)),
        AgentError: lambda exc: error(502, "AGENT_ERROR", str(exc)),
        SettingsError: lambda exc: error(500, "MISCONFIGURED", str(exc)),
    })


app = create_app()
