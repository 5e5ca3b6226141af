"""The demo's member insights: walk-in daily totals, tags, segments, then fresh rollups.

Half the merchants report their stores' daily totals (a POS Z-report, members included) for the
last full month, so member sales share, conversion and items per order have values; two tags
(one by rule, one by hand) and three segments give the segment pages live counts.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from guildcard.bootstrap import Container
from guildcard.demo.plan import Window
from guildcard.demo.setup import SeededAlliance
from guildcard.insights.domain.windows import Grain, window_of
from guildcard.insights.queries import metrics as metric_queries

SEED = 16


def seed_insights(container: Container, alliance: SeededAlliance, window: Window) -> dict[str, Any]:
    """Seed through the services; what the demo's JSON reports under ``insights``."""
    insights, admin = container.insights, alliance.admin
    insights.refresh(admin)
    month = window_of(window.last, Grain.MONTH).previous()
    reporting = {m.id for m in alliance.merchants[::2]}
    with container.database.read() as conn:
        days = metric_queries.store_days(conn, alliance.id, start=month.start, end=month.end)
    rng = random.Random(SEED)  # noqa: S311 -- demo figures, not secrets
    for d in days:
        if d.merchant_id not in reporting or d.member_orders == 0:
            continue
        share = rng.uniform(0.35, 0.7)
        orders = d.member_orders + max(1, round(d.member_orders * (1 - share) / share))
        sales = round(d.member_sales_fen / share)
        insights.report_daily_total(
            admin,
            store_id=d.store_id,
            day=d.day,
            orders=orders,
            sales_fen=sales,
            items=orders * rng.randint(2, 4),
        )
    explorer = insights.define_tag(
        admin, name="跨业态常客", rule="trades_visited >= 3 and purchase_days >= 4"
    )
    insights.define_tag(admin, name="沉睡会员", rule="days_since_last > 45")
    insights.save_segment(admin, name="重要唤回客户", definition={"rfm_segments": ["win_back"]})
    insights.save_segment(admin, name="跨业态常客", definition={"tags": [explorer.tag_id]})
    insights.save_segment(admin, name="高价值高活跃（九宫格 3-3）", definition={"value_cells": ["3-3"]})
    insights.refresh(
        admin, days=[month.start + timedelta(days=i) for i in range((month.end - month.start).days)]
    )
    found = metric_queries.as_json(insights.metrics(admin, month))
    segments = insights.segments(admin)
    flows = insights.flows(admin, month)
    counts = insights.summary(admin)  # from the member-month rollups, scored in SQL
    return {
        "period": found["period"],
        **{k: found[k] for k in metric_queries.ISSUE_KEYS},
        "reporting_stores": found["reporting_stores"],
        "segments": {s.segment.name: s.members for s in segments},
        "flow_pairs": len(flows.merchants),
        "members_brought": sum(flows.new_from_alliance.values()),
        "rfm_members": counts.members,
        "value_grid_top_cell": counts.value_cells["3-3"],
    }
