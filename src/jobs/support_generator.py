"""The support request generator: a sample of the delivered orders becomes synthetic support
requests, exactly once per order, into `support.raw_support_requests`.

Everything is a function of the order id through SHA-256 (`sampling.py`), as the original's
distribution describes it (caspers-stages.md §3.1): 25 users (`user-000`..`user-024`, the same user
for the same order everywhere), a request type by the user's bucket (delivery_delay, missing_items,
food_quality, billing, general_support), an edge case by a 0-99 draw (<2 abusive_language,
<7 spammy_escalation, <15 repeat_follow_up, <21 non_compensable_confusion, else standard) and repeat
attempts from the same draw (<3: three requests, <13: two, else one), each attempt a row of its own
with a deterministic id and its own wording. No LLM: the wording is the generator's templates.
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
USERS = 25
NAMESPACE = uuid.UUID("0f6f6a51-3c8e-4d2a-b7a4-2b1e5c9d8e70")  # the project's: support request ids
GENERATED_BY = "generator-v3"
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


def _seed(order_id: str) -> int:
    return int(draw(order_id, "support-seed") * 2 ** 32)


def user_id(order_id: str) -> str:
    return f"user-{_seed(order_id) % USERS:03d}"


def request_type(order_id: str) -> str:
    return REQUEST_TYPES[(_seed(order_id) % USERS) % len(REQUEST_TYPES)]


def edge_case(order_id: str) -> str:
    point = _seed(order_id) % 100
    return next(name for bound, name in EDGE_CASES if point < bound)


def attempts(order_id: str) -> int:
    point = _seed(order_id) % 100
    return 3 if point < 3 else 2 if point < 13 else 1


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


def requests_for(order_id: str, now: datetime) -> list[SupportRequest]:
    kind, edge, user = request_type(order_id), edge_case(order_id), user_id(order_id)
    return [SupportRequest(str(uuid.uuid5(NAMESPACE, f"{order_id}/{n}")), user, order_id,
                           now + timedelta(minutes=n - 1), kind, wording(kind, edge, n), edge, n)
            for n in range(1, attempts(order_id) + 1)]


def run(sink: Any, cap: int, now: Callable[[], datetime], say: Callable[[str], None] = print) -> int:
    """One run: the pending orders (sampled, delivered, without requests; oldest first, capped) get
    their requests, inserted by id. Returns the number of requests written."""
    orders = sink.pending(cap)
    rows = [row for order in orders for row in requests_for(order.order_id, now())]
    if rows:
        sink.merge(rows)
    say(f"{len(orders)} sampled delivered order(s): {len(rows)} support request(s) written")
    return len(rows)
