"""The demo's refund waiting for approval (issue 12 item 6): a member's dinner earns points, the
member spends all they have at a second merchant, then the first merchant's cashier refunds the
dinner. The alliance blocks negative balances but lets the owner refund the cash minus the spent
points' value, so the refund waits in the owner's queue (/merchant/refunds), with its shortfall."""

from __future__ import annotations

from guildcard.bootstrap import Container
from guildcard.counter.commands import MemberIdentity, PurchaseInput, RefundInput
from guildcard.counter.domain.receipts import RefundRequestReceipt
from guildcard.demo.setup import SeededAlliance

DINNER_FEN = 200_000  # ¥2,000: enough earned points that the member cannot give them back


def play(container: Container, alliance: SeededAlliance, member_id: str) -> dict[str, int]:
    """The counts for ``guildcard demo --json``: the purchases it made and the requests waiting."""
    container.loyalty.update_settings(
        alliance_id=alliance.id, changes={"refund_cash_for_spent_points": True}, actor_id=alliance.admin.id,
        idempotency_key="demo-refund-cash",
    )  # fmt: skip
    first, second = alliance.merchants[0], alliance.merchants[1]
    counter, codes = container.counter, container.members.member_codes

    def who() -> MemberIdentity:
        return MemberIdentity(
            member_code=codes.show_member_code(alliance_id=alliance.id, member_id=member_id).digits
        )

    dinner = PurchaseInput(first.store_ids[0], "RQ-DINNER-1", DINNER_FEN, who())
    receipt = counter.commit(first.cashiers[0], dinner).receipt
    # At the second merchant the member pays with as many points as a large enough bill allows.
    # A bill of about twice the balance's value: points may pay half, the cash part earns little.
    bill = container.ledger().queries(alliance.id).balance(member_id).available * 22 // 10 + 100
    offer = counter.preview(
        second.cashiers[0], PurchaseInput(second.store_ids[0], "RQ-SPEND-1", bill, who(), None)
    )
    spend = PurchaseInput(second.store_ids[0], "RQ-SPEND-1", bill, who(), offer.redeem.max_points)
    counter.commit(second.cashiers[0], spend)
    waiting = 0
    if (
        container.ledger().queries(alliance.id).balance(member_id).available < receipt.points_earned
    ):  # else no shortfall
        refund = RefundInput(first.store_ids[0], "RQ-DINNER-1", "RQ-DINNER-1-R1", receipt.payable_fen)
        asked = counter.refund_or_ask(first.cashiers[0], refund).receipt
        waiting = int(isinstance(asked, RefundRequestReceipt))
    return {"refund_request_purchases": 2, "refund_requests_pending": waiting}
