"""The one role → permission table of the whole product, and the one check every context uses.

Roles: operators (联盟总部: admin, reviewer, finance, viewer), merchant staff (owner, manager,
cashier), POS keys (by scope: ``counter:read``, ``counter:write``), members, and the system
(jobs, the CLI, the demo seeder). A POS key holds the union of its scopes' permissions.

This table says *what* a role may do; *which objects* it reaches (its alliance, its merchant,
its stores, itself) is checked next to the objects by each context (``alliance.domain.access``,
``counter.access``, ``settlement.access``). ``docs/permissions.md`` is generated from it
(``python -m guildcard.kernel.permissions > docs/permissions.md``; a test keeps it current).
"""

from __future__ import annotations

from enum import StrEnum

from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.errors import PermissionDenied


class Perm(StrEnum):
    # alliance: configuration, operators, onboarding, merchants and their objects
    ALLIANCE_CONFIGURE = (
        "alliance.configure"  # trade categories, loyalty settings, ledger policies, campaigns
    )
    OPERATOR_MANAGE = "operator.manage"
    APPLICATION_READ = "application.read"
    APPLICATION_REVIEW = "application.review"
    MERCHANT_READ = "merchant.read"
    MERCHANT_SUSPEND = "merchant.suspend"
    STORE_READ = "store.read"
    STORE_WRITE = "store.write"
    STAFF_READ = "staff.read"
    STAFF_WRITE = "staff.write"
    POS_KEY_READ = "pos_key.read"
    POS_KEY_WRITE = "pos_key.write"
    CONTRACT_READ = "contract.read"
    CONTRACT_WRITE = "contract.write"
    AUDIT_READ = "audit.read"
    # counter
    COUNTER_SELL = "counter.sell"  # preview, purchase, refund, read receipts, request a backfill
    BACKFILL_DECIDE = "counter.backfill_decide"
    REFUND_DECIDE = "counter.refund_decide"  # approve a cashier's or POS key's refund of spent points
    POINTS_ADJUST = "counter.points_adjust"
    # settlement
    SETTLEMENT_READ = "settlement.read"  # statements, liability, exports
    SETTLEMENT_CONFIGURE = "settlement.configure"  # issuance limits, breakage mode
    SETTLEMENT_CLOSE = "settlement.close"  # close a period
    # loyalty
    WALLET_CODES = "loyalty.wallet_codes"  # stored-value top-up code batches: generate, void
    # members
    DUPLICATE_READ = "members.duplicate_read"  # the duplicate review list (personal data masked)
    DUPLICATE_REVIEW = "members.duplicate_review"  # decide on a flagged pair
    MEMBER_PERSONAL_READ = "members.personal_read"  # full names and birthdays, unmasked
    MEMBER_IMPORT = "members.import"  # upload a member list (an owner: for their merchant)
    MEMBER_SELF = "members.self"  # one's own card, profile, codes and history
    # automation
    WEBHOOK_MANAGE = (
        "automation.webhook_manage"  # subscriptions, secrets, replays (an owner: their merchant's)
    )


P = Perm
Role = tuple[ActorKind, str | None]

_OPERATOR_READ = frozenset(
    {P.APPLICATION_READ, P.MERCHANT_READ, P.STORE_READ, P.STAFF_READ, P.AUDIT_READ, P.SETTLEMENT_READ}
    | {P.DUPLICATE_READ}
)
_STAFF_ADMIN = frozenset({P.MERCHANT_READ, P.STORE_READ, P.STAFF_READ, P.STAFF_WRITE, P.POS_KEY_READ})

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    (ActorKind.OPERATOR, "admin"): frozenset(Perm)
    - {P.STORE_WRITE, P.STAFF_WRITE, P.POS_KEY_WRITE, P.COUNTER_SELL, P.BACKFILL_DECIDE, P.REFUND_DECIDE}
    - {P.MEMBER_SELF},
    (ActorKind.OPERATOR, "reviewer"): _OPERATOR_READ
    | {P.APPLICATION_REVIEW, P.DUPLICATE_REVIEW, P.MEMBER_PERSONAL_READ},
    (ActorKind.OPERATOR, "finance"): _OPERATOR_READ
    | {P.CONTRACT_READ, P.CONTRACT_WRITE, P.POINTS_ADJUST, P.SETTLEMENT_CONFIGURE, P.SETTLEMENT_CLOSE}
    | {P.WALLET_CODES},
    (ActorKind.OPERATOR, "viewer"): _OPERATOR_READ | {P.CONTRACT_READ, P.POS_KEY_READ},
    (ActorKind.STAFF, "owner"): _STAFF_ADMIN
    | {P.STORE_WRITE, P.POS_KEY_WRITE, P.CONTRACT_READ, P.AUDIT_READ, P.COUNTER_SELL, P.BACKFILL_DECIDE}
    | {P.REFUND_DECIDE}
    | {P.SETTLEMENT_READ, P.MEMBER_IMPORT, P.WEBHOOK_MANAGE, P.WALLET_CODES},
    (ActorKind.STAFF, "manager"): _STAFF_ADMIN
    | {P.POS_KEY_WRITE, P.COUNTER_SELL, P.SETTLEMENT_READ, P.REFUND_DECIDE},
    (ActorKind.STAFF, "cashier"): frozenset({P.MERCHANT_READ, P.STORE_READ, P.COUNTER_SELL}),
    (ActorKind.POS, "counter:read"): frozenset({P.MERCHANT_READ, P.STORE_READ}),
    (ActorKind.POS, "counter:write"): frozenset({P.MERCHANT_READ, P.STORE_READ, P.COUNTER_SELL}),
    (ActorKind.MEMBER, None): frozenset({P.MEMBER_SELF}),
    (ActorKind.SYSTEM, None): frozenset(Perm) - {P.MEMBER_SELF},
}


def permissions_of(actor: Actor) -> frozenset[Perm]:
    if actor.kind is ActorKind.POS:
        granted: frozenset[Perm] = frozenset()
        for scope in actor.scopes:
            granted |= PERMISSIONS.get((ActorKind.POS, scope), frozenset())
        return granted
    role = actor.role if actor.kind in (ActorKind.OPERATOR, ActorKind.STAFF) else None
    return PERMISSIONS.get((actor.kind, role), frozenset())


def allows(actor: Actor, perm: Perm) -> bool:
    return perm in permissions_of(actor)


def require(actor: Actor, perm: Perm, error: type[PermissionDenied] = PermissionDenied) -> None:
    """Raise ``error`` (a 403) unless ``actor``'s role holds ``perm``."""
    if not allows(actor, perm):
        raise error(permission=perm.value)


def markdown() -> str:
    """docs/permissions.md: one row per permission, one column per role."""
    roles = list(PERMISSIONS)
    head = ["permission", *(f"{kind.value}:{role}" if role else kind.value for kind, role in roles)]
    lines = [
        "# Permissions",
        "",
        "Generated from `src/guildcard/kernel/permissions.py` (`python -m guildcard.kernel.permissions`);",
        "do not edit by hand. A POS key holds the union of its scopes' columns. Which objects a role",
        "reaches (its alliance, its merchant, its stores, itself) is checked by each context next to",
        "the object: anything outside that is answered as not found.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for perm in Perm:
        cells = ["✓" if perm in PERMISSIONS[role] else "" for role in roles]
        lines.append(f"| `{perm.value}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(markdown())
