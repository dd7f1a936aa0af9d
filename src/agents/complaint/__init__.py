"""The complaint agent: triages a customer complaint about a delivered order into one line of JSON
{order_id, complaint_category, decision, credit_amount, confidence, priority, rationale}, from the
order's overview, its delivery timing and its kitchen's usual delivery times (the UC functions of
sql.py)."""
