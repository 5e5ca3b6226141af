"""Development only: the outbox of one-time codes (the router is not mounted elsewhere)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from guildcard.api.deps import ContainerDep
from guildcard.members.senders import DevOutboxSender
from guildcard.privacy.phones import normalize_phone

router = APIRouter(prefix="/api/v1/dev", tags=["development"])


class OutboxMessageRead(BaseModel):
    alliance_id: str
    phone: str
    code: str
    purpose: str
    sent_at: datetime
    expires_at: datetime


@router.get("/outbox", response_model=list[OutboxMessageRead])
def outbox(container: ContainerDep, phone: str | None = None) -> list[OutboxMessageRead]:
    """The one-time codes "sent" in development, newest first (filter by `phone`)."""
    sender = container.code_sender
    if not isinstance(sender, DevOutboxSender):
        return []
    wanted = normalize_phone(phone) if phone else None
    return [
        OutboxMessageRead(
            alliance_id=m.alliance_id,
            phone=m.phone,
            code=m.code,
            purpose=m.purpose.value,
            sent_at=m.sent_at,
            expires_at=m.expires_at,
        )
        for m in sender.messages(phone=wanted)
    ]
