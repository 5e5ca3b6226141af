"""What each metric means, in the words the page and the API show (zh-CN and English)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    key: str
    zh_name: str
    en_name: str
    zh: str
    en: str


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "new_members",
        "新增会员",
        "New members",
        "本期注册的会员数。",
        "Members who registered in the period.",
    ),
    Definition(
        "activation_rate",
        "激活会员率",
        "Activation rate",
        "本期注册的会员中，注册后 N 天内（默认 30 天）首次消费的比例。",
        "Of the members who registered in the period, the share whose first purchase came within N days "
        "(30 by default).",
    ),
    Definition(
        "active_members",
        "活跃会员",
        "Active members",
        "本期至少消费一次的会员数。",
        "Members with at least one purchase in the period.",
    ),
    Definition(
        "churn_rate",
        "流失会员率",
        "Churn rate",
        "上一期活跃、本期没有消费的会员，占上一期活跃会员的比例（窗口可选日/周/月）。",
        "Members active in the previous window with no purchase in this one, over the members active in the "
        "previous window (the window is a day, a week or a month).",
    ),
    Definition(
        "member_sales_share",
        "会员交易额占有率",
        "Member sales share",
        "会员消费额占全部销售额的比例，只统计上报了非会员销售（逐笔或日汇总）的门店当天。",
        "Member sales over all sales, on the store-days that reported their non-member sales (one by one "
        "or as a daily total).",
    ),
    Definition(
        "repurchase_rate",
        "会员回头购买率",
        "Repurchase rate",
        "本期在两天或以上有消费的会员，占活跃会员的比例（联盟内）；商家口径按（会员，商家）计。",
        "Active members with purchases on two or more days of the period, over active members (in the "
        "alliance); at a merchant, over (member, merchant) pairs.",
    ),
    Definition(
        "average_order_value_fen",
        "客单价",
        "Average order value",
        "记录的全部销售额 ÷ 全部交易笔数（分，四舍五入）。",
        "Every recorded sale over every recorded transaction (fen, rounded half up).",
    ),
    Definition(
        "items_per_order",
        "客单量",
        "Items per order",
        "商品件数 ÷ 带件数的交易笔数；POS 未上报件数的交易不计。",
        "Items over the transactions that carry an item count; transactions without one are left out.",
    ),
    Definition(
        "conversion_rate",
        "转化率",
        "Conversion rate",
        "会员交易笔数占全部交易笔数的比例，只统计上报了全部交易的门店当天。",
        "Member transactions over all transactions, on the store-days that reported all of them.",
    ),
)

BY_KEY = {d.key: d for d in DEFINITIONS}
