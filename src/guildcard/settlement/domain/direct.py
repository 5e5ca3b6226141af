"""Labels of direct statement lines, by the kind of ledger entry they sum.

A context that moves money between a merchant and the platform as it happens posts a FEN
ledger entry of its own kind on ``merchant:{id}:settlement`` (see DESIGN.md's chart of
accounts); the statement shows one line per kind. Register the kind here with its Chinese and
English label; an unregistered kind is shown by its code.
"""

from __future__ import annotations

# kind -> (zh-CN, en). Sign convention of the line: + the merchant owes the alliance.
LABELS: dict[str, tuple[str, str]] = {
    "coupon_funding": ("优惠券补贴结算", "coupon funding"),
    "wallet_topup": ("代收储值", "stored value collected"),
    "wallet_spend": ("储值消费结算", "stored value spent here"),
    "wallet_refund": ("储值退款", "stored value refunded"),
    "card_sale": ("付费会员卡代售", "paid cards sold"),
    "mall_supply": ("积分商城供货", "points mall items supplied"),
}


def label(kind: str, lang: str = "zh") -> str:
    """The line's label in ``lang`` (zh or en)."""
    zh, en = LABELS.get(kind, (kind, kind))
    return en if lang.startswith("en") else zh
