"""Alliances (a deployment-level act), their trade categories, contract limits and operators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.contracts import ContractLimits
from guildcard.alliance.domain.errors import AllianceNotFound
from guildcard.alliance.domain.model import Alliance, Operator, OperatorRole, TradeCategory
from guildcard.alliance.handlers.alliances import (
    CreateAlliance,
    CreateOperator,
    DisableOperator,
    NewAlliance,
    SetCategories,
    SetLimits,
)
from guildcard.alliance.handlers.common import NewAccount, or_raise
from guildcard.alliance.services.base import Created, Deps
from guildcard.alliance.storage import repository as repo
from guildcard.kernel.actors import Actor, system_actor
from guildcard.kernel.ids import new_id

__all__ = ["AllianceService", "NewAccount", "NewAlliance"]


class AllianceService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # --- deployment level (CLI) -----------------------------------------------------------

    def create_alliance(
        self, *, code: str, name: str, city: str, admin_login: str, admin_name: str = "管理员"
    ) -> NewAlliance:
        # The command runs as the new alliance's CLI actor: its tenant is the alliance it creates.
        actor = system_actor(new_id("all"), "cli")
        command = CreateAlliance(
            code=code, name=name, city=city, admin_login=admin_login, admin_name=admin_name
        )
        return cast("NewAlliance", self.deps.bus.execute(actor, command).value)

    def list_alliances(self) -> list[Alliance]:
        with self.deps.database.read() as conn:
            return repo.list_alliances(conn)

    # --- public -----------------------------------------------------------------------------

    def find(self, id_or_code: str) -> Alliance:
        with self.deps.database.read() as conn:
            return or_raise(repo.get_alliance(conn, id_or_code), AllianceNotFound)

    def public_categories(self, id_or_code: str) -> list[TradeCategory]:
        with self.deps.database.read() as conn:
            alliance = or_raise(repo.get_alliance(conn, id_or_code), AllianceNotFound)
            return repo.categories(conn, alliance.id, active_only=True)

    # --- operators' alliance settings ------------------------------------------------------

    def get(self, actor: Actor) -> Alliance:
        with self.deps.database.read() as conn:
            return or_raise(repo.get_alliance(conn, actor.alliance_id), AllianceNotFound)

    def categories(self, actor: Actor) -> list[TradeCategory]:
        with self.deps.database.read() as conn:
            return repo.categories(conn, actor.alliance_id)

    def set_categories(self, actor: Actor, items: Sequence[TradeCategory]) -> list[TradeCategory]:
        return cast(
            "list[TradeCategory]", self.deps.bus.execute(actor, SetCategories(items=tuple(items))).value
        )

    def set_limits(self, actor: Actor, limits: ContractLimits) -> Alliance:
        return cast("Alliance", self.deps.bus.execute(actor, SetLimits(limits=limits)).value)

    # --- operators ------------------------------------------------------------------------

    def list_operators(self, actor: Actor) -> list[Operator]:
        authorize(actor, Perm.OPERATOR_MANAGE, alliance_id=actor.alliance_id)
        with self.deps.database.read() as conn:
            return repo.list_operators(conn, actor.alliance_id)

    def create_operator(
        self, actor: Actor, *, login: str, display_name: str, role: OperatorRole, idempotency_key: str | None
    ) -> Created[NewAccount]:
        command = CreateOperator(
            login=login, display_name=display_name, role=role, idempotency_key=idempotency_key
        )
        return Created.of(self.deps.bus.execute(actor, command))

    def disable_operator(self, actor: Actor, operator_id: str) -> Operator:
        return cast("Operator", self.deps.bus.execute(actor, DisableOperator(operator_id=operator_id)).value)
