"""The complaint generator: a sample of the delivered orders gets one synthetic customer complaint
each, exactly once, into `complaints.raw_complaints`.

Everything about a complaint except its wording is a pure function of the order id, through SHA-256
(stable across processes, runs and engines; the original used Python's `hash`, salted per process,
so its "deterministic" categories were not):
- whether the order complains: `draw(order_id, "sample") < COMPLAINT_RATE` (sampling.py; the same
  test in Spark SQL, `SAMPLED_SQL`, selects the pending orders there);
- the category, with the original's weights: delivery_delay .40, missing_items .25, food_quality .20,
  service_issue .10, other .05;
- the complaint id: a UUID-5 of the order id, so the row's key is known before it is written;
- its time: the order's delivery plus 10 to 120 minutes (a draw), not the generator's clock, so the
  complaints sit in the data's own time however late or in whatever batches the generator runs.
The wording comes from the LLM on Databricks (the original's prompt); when the LLM gives nothing
usable after the retries, or locally, a deterministic template is used and `generated_by` says so.

A run is the agent streams' engine (scoring.py): pending orders (sampled, delivered, without a
complaint; newest first, capped), bounded concurrency, backoff, inserts by order id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from .sampling import draw, sampled_sql
from .scoring import Scoring, Transient

CATEGORIES = ("delivery_delay", "missing_items", "food_quality", "service_issue", "other")
WEIGHTS = (0.40, 0.25, 0.20, 0.10, 0.05)
NAMESPACE = uuid.UUID("5b0d4c3e-8f1a-4c57-9a55-6a0f3c2b7d11")  # the project's: complaint ids
LLM, TEMPLATE = "llm_generator", "template"  # generated_by
TEMPLATES = {
    "delivery_delay": ("Order {id} took far longer than promised and the food arrived lukewarm.",
                       "I waited over an hour past the estimate for order {id}; this keeps happening."),
    "missing_items": ("Half of order {id} never arrived: one of the mains was missing from the bag.",
                      "Order {id} came without the side I paid for, and nobody told me."),
    "food_quality": ("The food in order {id} was cold and soggy, nothing like the pictures.",
                     "Order {id} tasted stale and one dish was clearly overcooked."),
    "service_issue": ("The driver for order {id} was rude and left the bag at the wrong door.",
                      "Nobody answered when I called about order {id}, and the courier ignored my notes."),
    "other": ("Something was off with order {id} and I want someone to look at it.",
              "I am not happy with order {id} overall."),
}


def sampled(order_id: str, rate: float) -> bool:
    return draw(order_id, "sample") < rate


# The same test as `sampled`, in Spark SQL (a test holds them equal on local Spark).
SAMPLED_SQL = sampled_sql("sample")


def category(order_id: str) -> str:
    point, total = draw(order_id, "category"), 0.0
    for name, weight in zip(CATEGORIES, WEIGHTS):
        total += weight
        if point < total:
            return name
    return CATEGORIES[-1]


def complaint_id(order_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, order_id))


def template_text(order_id: str) -> str:
    choices = TEMPLATES[category(order_id)]
    return choices[int(draw(order_id, "text") * len(choices))].format(id=order_id)


def prompt(order_id: str) -> str:
    return (f"You are an upset customer writing a complaint about your food delivery. Write a realistic 1-2 "
            f"sentence complaint about: {category(order_id)}. Order ID: {order_id}. Be specific and sound "
            "frustrated but realistic. Do not include greeting or signature.")


@dataclass(frozen=True)
class Complaint:
    complaint_id: str
    order_id: str
    ts: Any
    complaint_category: str
    complaint_text: str
    generated_by: str


def check_text(text: str) -> str:
    text = (text or "").strip()
    if not text or len(text) > 1000:
        raise ValueError("a complaint is one to a thousand characters")
    return text


AFTER_MINUTES = (10, 120)  # a complaint is written this long after its order's delivery


def complaint_ts(order: Any, written: datetime) -> datetime:
    """The order's delivery plus a drawn delay; the writing time only for an order without one."""
    if getattr(order, "delivered_ts", None) is None:
        return written
    low, high = AFTER_MINUTES
    return order.delivered_ts + timedelta(minutes=low + draw(order.order_id, "complaint-after") * (high - low))


def to_complaint(order: Any, ts: datetime, text: str) -> Complaint:
    order_id = order.order_id
    by = TEMPLATE if text == template_text(order_id) else LLM
    return Complaint(complaint_id(order_id), order_id, complaint_ts(order, ts), category(order_id), text.strip(), by)


SCORING = Scoring(key=lambda x: x.order_id, question=lambda order: order.order_id, row=to_complaint,
                  check=check_text, error_response=lambda order, problem: template_text(order.order_id),
                  is_error=lambda text: False)


def template_writer(order_id: str) -> str:
    """The deterministic local wording (tests, `make run-local`)."""
    return template_text(order_id)


def llm_writer(client: Any, model: str, timeout_s: float = 60.0) -> Callable[[str], str]:
    """The wording from a chat endpoint (LLM_MODEL) through the OpenAI API; transient failures
    become Transient, so the engine retries them."""
    import openai

    transient = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError,
                 openai.APIConnectionError)

    def write(order_id: str) -> str:
        try:
            answer = client.with_options(timeout=timeout_s, max_retries=0).chat.completions.create(
                model=model, messages=[{"role": "user", "content": prompt(order_id)}], max_tokens=200)
        except transient as err:
            raise Transient(f"{type(err).__name__}: {str(err)[:160]}") from None
        return (answer.choices[0].message.content or "").strip().strip('"')

    return write
