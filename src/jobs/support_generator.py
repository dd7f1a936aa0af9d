"""The support request generator: a sample of the delivered orders becomes synthetic support
requests, exactly once per order, into `support.raw_support_requests`.

Everything is a function of the order id through SHA-256 (`sampling.py`), each property from a draw
of its own (the original drew user, type and edge case from one hash, so only 7 of its 25 users ever
wrote an abusive or spammy request). The parameters (docs/agents.md, "Generated data"; pinned by
tests/test_support_flow.py):
- customers: one of CUSTOMERS (20,000) ids `user-00000`..`user-19999`, the same for the same order
  everywhere. At the demo's volume (about 840 delivered orders a day, SUPPORT_RATE 0.18) a customer
  who writes has had another order with a request in the 30 days before in about one case in five;
- request type: delivery_delay, missing_items, food_quality, billing, general_support, 20% each (the
  original's five, evenly);
- edge case, the original's shares: abusive_language 2%, spammy_escalation 5%, repeat_follow_up 8%,
  non_compensable_confusion 6%, standard 79%; attempts from the same draw, as the original couples
  them (abusive and the first spammy share write three times, the rest of spammy and most
  follow-ups twice: 3% three, 10% two, 87% one);
- time: a request is stamped with its order's time, not the generator's clock: the first 10 to 120
  minutes after delivery, each follow-up 2 to 24 hours after the one before. So a user's repeats are
  counted in the data's own time, however late or in whatever batches the generator runs.
No LLM: the wording is the generator's templates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from .sampling import draw, sampled_sql

REQUEST_TYPES = ("delivery_delay", "missing_items", "food_quality", "billing", "general_support")
EDGE_CASES = ((2, "abusive_language"), (7, "spammy_escalation"), (15, "repeat_follow_up"),
              (21, "non_compensable_confusion"), (100, "standard"))
CUSTOMERS = 20_000
FIRST_AFTER_MINUTES = (10, 120)  # a first request, after the delivery
FOLLOW_UP_HOURS = (2, 24)  # each follow-up, after the request before it
NAMESPACE = uuid.UUID("0f6f6a51-3c8e-4d2a-b7a4-2b1e5c9d8e70")  # the project's: support request ids
GENERATED_BY = "generator-v4"  # v4: order-time stamps, 20,000 customers, independent draws
SALT = "support"
SAMPLED_SQL = sampled_sql(SALT)


@dataclass(frozen=True)
class SupportRequest:
    support_request_id: str
    user_id: str
    order_id: str
    ts: Any
    request_type: str
    request_text: str
    edge_case_type: str
    request_attempt: int
    generated_by: str = GENERATED_BY


def sampled(order_id: str, rate: float) -> bool:
    return draw(order_id, SALT) < rate


def user_id(order_id: str) -> str:
    return f"user-{int(draw(order_id, 'support-user') * CUSTOMERS):05d}"


def request_type(order_id: str) -> str:
    return REQUEST_TYPES[int(draw(order_id, "support-type") * len(REQUEST_TYPES))]


def _edge_point(order_id: str) -> int:
    return int(draw(order_id, "support-edge") * 100)


def edge_case(order_id: str) -> str:
    point = _edge_point(order_id)
    return next(name for bound, name in EDGE_CASES if point < bound)


def attempts(order_id: str) -> int:
    point = _edge_point(order_id)
    return 3 if point < 3 else 2 if point < 13 else 1


def times(order_id: str, delivered: datetime) -> list[datetime]:
    """When each attempt is written: after the delivery, then spaced follow-ups (data time)."""
    low, high = FIRST_AFTER_MINUTES
    at = [delivered + timedelta(minutes=low + draw(order_id, "support-first") * (high - low))]
    low, high = FOLLOW_UP_HOURS
    for n in range(2, attempts(order_id) + 1):
        at.append(at[-1] + timedelta(hours=low + draw(f"{order_id}/{n}", "support-follow-up") * (high - low)))
    return at


def wording(kind: str, edge: str, attempt: int) -> str:
    """The request's text, by its edge case first, then its type and whether it is a follow-up."""
    if edge == "abusive_language":
        return "This is a joke. Your people keep getting my order wrong and I am sick of it. Sort it out now."
    if edge == "spammy_escalation":
        return ("Yet another message and still nothing. Refund everything right now and put a manager on this."
                if attempt > 1 else "I already wrote today. Fix this immediately and tell me exactly what I get back.")
    if edge == "repeat_follow_up" and attempt > 1:
        return "Writing again: this has happened before. Please look at my earlier tickets and make it right."
    follow_up = attempt > 1
    texts = {
        "delivery_delay": ("Another late delivery. I want a clear answer on a refund and a credit."
                           if follow_up else "The delivery came far later than promised. Can I get a credit or a refund?"),
        "missing_items": ("Items were missing again, the second time now. I expect a concrete offer."
                          if follow_up else "Part of my order was missing. What are the next steps?"),
        "food_quality": "The food was not good this time. I would like some support and maybe compensation.",
        "billing": "I think my last order was charged wrongly. Can you check the amount?",
    }
    if kind in texts:
        return texts[kind]
    if edge == "non_compensable_confusion":
        return "I changed my mind after ordering. Could I still get a courtesy credit?"
    return "I need help with a recent order. Please take a look and tell me what you can do."


def requests_for(order_id: str, delivered: datetime) -> list[SupportRequest]:
    kind, edge, user = request_type(order_id), edge_case(order_id), user_id(order_id)
    return [SupportRequest(str(uuid.uuid5(NAMESPACE, f"{order_id}/{n}")), user, order_id, ts, kind,
                           wording(kind, edge, n), edge, n)
            for n, ts in enumerate(times(order_id, delivered), start=1)]


def run(sink: Any, cap: int, say: Callable[[str], None] = print) -> int:
    """One run: the pending orders (sampled, delivered, without requests; newest first, capped) get
    their requests, stamped from each order's delivery and inserted by id. Returns how many."""
    orders = sink.pending(cap)
    rows = [row for order in orders for row in requests_for(order.order_id, order.delivered_ts)]
    if rows:
        sink.merge(rows)
    say(f"{len(orders)} sampled delivered order(s): {len(rows)} support request(s) written")
    return len(rows)
