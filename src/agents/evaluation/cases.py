"""The labelled evaluation sets (cases/<agent>.yaml) and the tools' answers for them.

An evaluation runs the real agent (its prompt, its tool-calling loop, its answer checks) against the
model under test; only the warehouse is replaced: `FixtureRunner` answers each tool's statement with
the rows the case's facts make, shaped as that tool's SQL function returns them. So the cases need
no workspace and no data, and a case's facts are exactly what the model was shown."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).parent / "cases"
AGENTS = ("refund", "complaint", "support")


@dataclass(frozen=True)
class Case:
    agent: str
    id: str
    question: str  # what the agent is asked: the stream's question
    expect: dict  # field -> a value, a list of acceptable values, or [low, high] bounds for amounts
    why: str
    order: dict | None = None  # order_id, location, created, delivered, minutes, total, items [[name, price, qty]]
    kitchen: dict | None = None  # p50, p75, p99 of the order's kitchen
    summary_cites: tuple = ()  # support: what its summaries must mention
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CaseSet:
    agent: str
    prompt_must_state: tuple[str, ...]
    cases: tuple[Case, ...]


def load(agent: str) -> CaseSet:
    import yaml

    data = yaml.safe_load((CASES / f"{agent}.yaml").read_text(encoding="utf-8"))
    if data.get("agent") != agent:
        raise ValueError(f"cases/{agent}.yaml: `agent` must be {agent!r}")
    cases = []
    for raw in data["cases"]:
        missing = [k for k in ("id", "expect", "why") if not raw.get(k)]
        if missing:
            raise ValueError(f"cases/{agent}.yaml: case {raw.get('id', '?')} has no {', '.join(missing)}")
        question = raw.get("question") or json.dumps(raw["case"], sort_keys=True)
        cases.append(Case(agent, raw["id"], question, raw["expect"], raw["why"], raw.get("order"), raw.get("kitchen"),
                          tuple(raw.get("summary_cites") or ()), {"case": raw.get("case")}))
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"cases/{agent}.yaml: case ids repeat")
    return CaseSet(agent, tuple(data.get("prompt_must_state") or ()), tuple(cases))


def _timestamp(text: str | None) -> str | None:
    return text.replace(" ", "T") if text else None


def _items_json(order: dict) -> str:
    return json.dumps([{"name": n, "price": p, "qty": q} for n, p, q in order["items"]])


def _overview(order: dict) -> dict:
    return {"order_id": order["order_id"], "location": order["location"], "items_json": _items_json(order),
            "customer_address": None, "brand_id": None, "order_total": order["total"],
            "order_created_ts": _timestamp(order["created"])}


def _timing(order: dict) -> dict:
    status = "delivered" if order.get("delivered") else "in_progress"
    return {"order_id": order["order_id"], "order_created_ts": _timestamp(order["created"]),
            "delivered_ts": _timestamp(order.get("delivered")), "delivery_duration_minutes": order.get("minutes"),
            "delivery_status": status}


def _kitchen(case: Case) -> list[dict]:
    return [{"location": case.order["location"], **case.kitchen, "orders": None}] if case.kitchen else []


def _refund_rows(case: Case, tool: str) -> list[dict]:
    order = case.order
    if tool == "refund_order_details":
        events = [("order_created", order["created"], 0, json.dumps({"items": json.loads(_items_json(order))}))]
        if order.get("delivered"):
            events.append(("delivered", order["delivered"], 7, json.dumps({})))
        return [{"order_id": order["order_id"], "event_type": kind, "ts": _timestamp(ts), "sequence": seq,
                 "location": order["location"], "order_total": order["total"], "body": body}
                for kind, ts, seq, body in events]
    if tool == "refund_order_delivery_time":
        return [{"order_id": order["order_id"], "location": order["location"],
                 "created_at": _timestamp(order["created"]), "delivered_at": _timestamp(order.get("delivered")),
                 "duration_minutes": order.get("minutes")}]
    return _kitchen(case)


def rows_for(case: Case, tool: str, argument: str) -> list[dict]:
    """What the tool returns for `argument` in this case: the case's order for its id, its kitchen's
    timings for its kitchen's name, nothing for anything else (as the SQL functions would)."""
    order = case.order
    if not order:
        return []
    wanted = argument.strip().lower()
    if tool.endswith("location_timings"):
        return _kitchen(case) if wanted == order["location"].lower() else []
    if tool.endswith(("user_request_history", "user_report_history")):
        return []  # the cases' users have no stored history; their counts are in the case's facts
    if wanted != order["order_id"].lower():
        return []
    if case.agent == "refund":
        return _refund_rows(case, tool)
    return [_overview(order)] if tool.endswith("order_overview") else [_timing(order)]


class FixtureRunner:
    """A StatementRunner whose warehouse is the case: the statement names the tool's function."""

    def __init__(self, case: Case, tools: tuple[str, ...]):
        self.case, self.tools = case, tools

    def rows(self, statement: str, parameters: dict[str, str]) -> list[dict]:
        tool = next((t for t in self.tools if f"`{t}`" in statement), None)
        if tool is None:
            raise RuntimeError(f"no tool of this agent in {statement!r}")
        return rows_for(self.case, tool, parameters.get("arg", ""))
