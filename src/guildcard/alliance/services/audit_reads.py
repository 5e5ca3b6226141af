"""Reading the audit log: operators their alliance's, merchant owners their merchant's lines."""

from __future__ import annotations

from dataclasses import replace

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.errors import ObjectNotFound
from guildcard.alliance.handlers.common import or_raise
from guildcard.alliance.services.base import Deps
from guildcard.alliance.storage import repository as repo
from guildcard.audit import log
from guildcard.audit.log import AuditEntry, AuditFilter
from guildcard.kernel.actors import Actor


class AuditReader:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def alliance_log(self, actor: Actor, where: AuditFilter) -> list[AuditEntry]:
        authorize(actor, Perm.AUDIT_READ, alliance_id=actor.alliance_id)  # operators only
        with self.deps.database.read() as conn:
            return log.query(conn, actor.alliance_id, where)

    def merchant_log(self, actor: Actor, merchant_id: str, where: AuditFilter) -> list[AuditEntry]:
        with self.deps.database.read() as conn:
            or_raise(repo.get_merchant(conn, actor.alliance_id, merchant_id), ObjectNotFound)
            authorize(actor, Perm.MERCHANT_READ, alliance_id=actor.alliance_id, merchant_id=merchant_id)
            authorize(actor, Perm.AUDIT_READ, alliance_id=actor.alliance_id, merchant_id=merchant_id)
            return log.query(conn, actor.alliance_id, replace(where, merchant_id=merchant_id))

    def get(self, actor: Actor, entry_id: str) -> AuditEntry:
        with self.deps.database.read() as conn:
            entry = or_raise(log.get(conn, actor.alliance_id, entry_id), ObjectNotFound)
        if entry.merchant_id is None:
            authorize(actor, Perm.AUDIT_READ, alliance_id=entry.alliance_id)
        else:
            authorize(actor, Perm.MERCHANT_READ, alliance_id=entry.alliance_id, merchant_id=entry.merchant_id)
            authorize(actor, Perm.AUDIT_READ, alliance_id=entry.alliance_id, merchant_id=entry.merchant_id)
        return entry
