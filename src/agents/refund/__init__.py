"""The refund agent: RefundGPT recommends a refund for a delivered order, as one line of JSON
{refund_usd, refund_class, reason}, from the order's events, its delivery time and its kitchen's
usual delivery times (the UC functions of sql.py)."""
