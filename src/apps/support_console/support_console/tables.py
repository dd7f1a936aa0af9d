"""The Support Console's own tables and indexes, created when it starts (db.py runs
this DDL under an advisory lock; every statement is idempotent, and the ALTERs bring tables an
older console made up to date)."""

from __future__ import annotations

from typing import Any


def ddl(store: Any) -> list[str]:
    return [
        f"CREATE SCHEMA IF NOT EXISTS {store.schema}",
        f"""CREATE TABLE IF NOT EXISTS {store.actions} (
            action_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL, order_id TEXT, user_id TEXT,
            action_type TEXT NOT NULL CHECK (action_type IN ('apply_refund', 'apply_credit', 'send_reply')),
            amount_usd NUMERIC(10, 2) CHECK (amount_usd >= 0), payload JSONB,
            status TEXT NOT NULL DEFAULT 'recorded', actor TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
        f"""CREATE UNIQUE INDEX IF NOT EXISTS operator_actions_once ON {store.actions} (support_request_id, action_type)
            WHERE action_type IN ('apply_refund', 'apply_credit')""",
        f"CREATE INDEX IF NOT EXISTS operator_actions_by_request ON {store.actions} (support_request_id, action_id)",
        f"""CREATE TABLE IF NOT EXISTS {store.replies} (
            reply_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL, order_id TEXT, user_id TEXT,
            message_text TEXT NOT NULL, sent_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
        f"ALTER TABLE {store.replies} ADD COLUMN IF NOT EXISTS reply_token TEXT",
        f"CREATE UNIQUE INDEX IF NOT EXISTS support_replies_once ON {store.replies} (support_request_id, reply_token)",
        f"""CREATE TABLE IF NOT EXISTS {store.status} (
            support_request_id TEXT PRIMARY KEY,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'resolved')),
            assigned_to TEXT, updated_at TIMESTAMPTZ NOT NULL DEFAULT now(), last_action TEXT, notes TEXT)""",
        f"CREATE INDEX IF NOT EXISTS request_status_by_status ON {store.status} (status)",
        f"""CREATE TABLE IF NOT EXISTS {store.ratings} (
            rating_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL UNIQUE, order_id TEXT, user_id TEXT,
            rating TEXT NOT NULL CHECK (rating IN ('thumbs_up', 'thumbs_down')), reason_code TEXT,
            feedback_notes TEXT, actor TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
        f"""CREATE TABLE IF NOT EXISTS {store.regenerated} (
            regen_id BIGSERIAL PRIMARY KEY, support_request_id TEXT NOT NULL, agent_response TEXT NOT NULL,
            actor TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
        f"ALTER TABLE {store.regenerated} ADD COLUMN IF NOT EXISTS operator_context TEXT",
        f"""CREATE INDEX IF NOT EXISTS operator_regenerated_latest ON {store.regenerated}
            (support_request_id, regen_id DESC)"""]
