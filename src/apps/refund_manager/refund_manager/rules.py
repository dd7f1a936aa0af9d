"""What a refund decision may be, before anything is written.

Bounds (422 when broken): never more than the order's total (the stream carries it in the row the
app reads; when an older row has none, `max_refund_usd` stands in); the class matches the amount:
`none` refunds 0, `partial` more than 0 and less than the total, `full` exactly the total.

Approval (403 unless the acting person has the approver role, from the app's APPROVERS setting): an
amount above the approval threshold, or a class above the one the recommendation gave (an
unreadable recommendation backs nothing beyond `none`)."""

from __future__ import annotations

from decimal import Decimal

from appkit.http import Refused

RANK = {"none": 0, "partial": 1, "full": 2, "error": 0}
CENT = Decimal("0.01")


def check(kind: str, amount: Decimal, total: Decimal | None, recommended: str, approver: bool,
          fallback_max: float, threshold: float) -> None:
    """Raises Refused when the decision is out of bounds, or needs an approver who is not acting."""
    problem = bounds_problem(kind, amount, total, fallback_max)
    if problem:
        raise Refused(422, "INVALID_REQUEST", problem)
    why = approval_reason(kind, amount, recommended, threshold)
    if why and not approver:
        raise Refused(403, "APPROVAL_REQUIRED", f"{why}: only an approver may decide it (the app's APPROVERS setting)")


def bounds_problem(kind: str, amount: Decimal, total: Decimal | None, fallback_max: float) -> str:
    limit = total.quantize(CENT) if total is not None else Decimal(str(fallback_max)).quantize(CENT)
    what = "the order's total" if total is not None else "the largest refund (the order's total is not known)"
    if amount > limit:
        return f"amount_usd: at most {limit} ({what}); got {amount}"
    if kind == "none" and amount != 0:
        return "amount_usd: a decision of class none refunds 0"
    if kind != "none" and amount == 0:
        return f"amount_usd: a {kind} refund is more than 0 (or choose class none)"
    if total is not None and kind == "partial" and amount >= limit:
        return f"amount_usd: a partial refund is less than the order's total {limit} (or choose class full)"
    if total is not None and kind == "full" and amount != limit:
        return f"amount_usd: a full refund is the order's total, {limit}; got {amount}"
    return ""


def approval_reason(kind: str, amount: Decimal, recommended: str, threshold: float) -> str:
    if amount > Decimal(str(threshold)):
        return f"{amount} is above the approval threshold of {Decimal(str(threshold)).quantize(CENT)}"
    if RANK[kind] > RANK.get(recommended, 0):
        return f"a {kind} refund goes beyond the recommendation ({recommended})"
    return ""
