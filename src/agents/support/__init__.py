"""The support agent: a report for a support request (SupportReport: credit and refund
recommendations, a reply to send, summaries of the order and of the user's history), its amounts
and escalation set by a deterministic policy (policy.py), its summaries by the LLM over the
support SQL functions (sql.py)."""
