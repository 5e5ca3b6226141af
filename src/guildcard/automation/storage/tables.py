"""Automation tables. Every key is led by ``alliance_id``."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from guildcard.db.metadata import metadata
from guildcard.db.types import UtcDateTime

# One endpoint receiving some event types: the alliance's (merchant_id NULL) or a merchant's.
webhook_subscriptions = Table(
    "automation_webhook_subscriptions",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("merchant_id", String(40), nullable=True),
    Column("url", String(2000), nullable=False),
    Column("description", String(200), nullable=False),
    Column("event_types", JSON, nullable=False),  # list of catalogue names
    Column("secret", String(200), nullable=False),  # sealed (FieldCipher)
    Column("previous_secret", String(200), nullable=True),  # sealed; still signs until previous_until
    Column("previous_until", UtcDateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("disabled_reason", String(200), nullable=True),
    Column("failing_since", UtcDateTime, nullable=True),  # first failure since the last success
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One message to one subscription: written when the worker dispatches the event, at most once
# per (subscription, event); its attempts follow the retry schedule.
webhook_deliveries = Table(
    "automation_webhook_deliveries",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),  # also the message's webhook-id
    Column("subscription_id", String(40), nullable=False),
    Column("merchant_id", String(40), nullable=True),  # the subscription's merchant
    Column("event_id", String(40), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("body", Text, nullable=False),  # the exact JSON that is signed and sent
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint(
        "alliance_id", "subscription_id", "event_id", name="uq_automation_webhook_deliveries_event"
    ),
    Index("ix_automation_webhook_deliveries_due", "alliance_id", "status", "next_attempt_at"),
)

# The delivery log: every attempt with its response code (or the error) and how long it took.
webhook_attempts = Table(
    "automation_webhook_attempts",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("delivery_id", String(40), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("attempted_at", UtcDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", String(300), nullable=True),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_automation_webhook_attempts_delivery", "alliance_id", "delivery_id", "attempt"),
)

# An automation rule: a trigger, a condition, its actions (JSON list) and controls.
automation_rules = Table(
    "automation_rules",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("preset", String(40), nullable=True),
    Column("trigger", String(40), nullable=False),
    Column("condition", String(1000), nullable=False),
    Column("actions", JSON, nullable=False),
    Column("controls", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("params", JSON, nullable=True),  # a schedule trigger's days / date (automation_auto_0005)
)

# One rule for one member and one occurrence (the event): at most once, whatever happened.
automation_runs = Table(
    "automation_runs",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("rule_id", String(40), nullable=False),
    Column("member_id", String(40), nullable=False),
    Column("occurrence", String(60), nullable=False),
    Column("outcome", String(24), nullable=False),  # sent, no_consent, capped, over_budget
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint(
        "alliance_id", "rule_id", "member_id", "occurrence", name="uq_automation_runs_occurrence"
    ),
    Index("ix_automation_runs_rule", "alliance_id", "rule_id", "at"),
)

# The message outbox: written in the command's transaction, sent by the worker outside it.
automation_messages = Table(
    "automation_messages",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("id", String(40), primary_key=True),
    Column("member_id", String(40), nullable=False),
    Column("rule_id", String(40), nullable=True),
    Column("run_id", String(40), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", String(100), nullable=False),
    Column("body", String(1000), nullable=False),
    Column("status", String(16), nullable=False),  # pending, sent, dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),  # also the end of quiet hours
    Column("lease_until", UtcDateTime, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("read_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_automation_messages_due", "alliance_id", "status", "next_attempt_at"),
    Index("ix_automation_messages_member", "alliance_id", "member_id", "created_at"),
)

# A member's "no, thank you" to one channel and kind of message (absent: the default, yes).
automation_preferences = Table(
    "automation_preferences",
    metadata,
    Column("alliance_id", String(40), primary_key=True),
    Column("member_id", String(40), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("opted_out", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
