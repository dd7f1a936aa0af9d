"""The Refund Manager: refund recommendations from Lakebase, decided by a person."""
