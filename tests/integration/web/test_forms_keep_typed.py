"""Issue 12 item 19: every merchant and operator form keeps what was typed after a validation
error, and the error names the field (one shared helper, ``guildcard.web.forms``)."""

from __future__ import annotations

import re

from tests.integration.web.test_ops_pages import csrf, ops, sign_in  # noqa: F401 (fixture)

from guildcard.web.forms import refill


def test_the_campaign_form_keeps_the_typed_values_and_names_the_multiplier(ops):  # noqa: F811
    sign_in(ops)
    token = csrf(ops, "/ops/campaigns")
    cinema = ops.ops.merchants[1]
    refused = ops.post(
        "/ops/campaigns",
        data={"csrf_token": token, "idempotency_key": "c1", "name": "周三会员日", "multiplier": "20",
              "first_day": "2026-11-23", "weekdays": ["3", "5"], "merchant_ids": cinema.id},
    )  # fmt: skip
    assert refused.status_code == 422
    alert = re.search(r'role="alert">([^<]*)<', refused.text).group(1)
    assert alert.startswith("倍数")  # the field by its label, with the allowed range
    assert "最多 10" in alert
    assert "倍数须大于 1 且不超过 10" in alert
    assert "multiplier must" not in refused.text  # no English on a Chinese page
    assert re.search(r'<input id="multiplier"[^>]*aria-invalid="true"', refused.text)
    assert re.search(r'<input id="multiplier"[^>]*value="20"', refused.text)
    assert re.search(r'<input id="name"[^>]*value="周三会员日"', refused.text)
    assert re.search(r'value="3"[^>]* checked', refused.text)
    assert re.search(r'value="5"[^>]* checked', refused.text)
    assert not re.search(r'value="1"[^>]* checked', refused.text)
    assert not re.search(r'name="members_only"[^>]* checked', refused.text)  # unticked stays unticked
    assert re.search(rf'<option value="{cinema.id}" selected>', refused.text)
    assert ops.ops.container.loyalty.list_campaigns(alliance_id=ops.ops.alliance_id) == []


def test_the_contract_form_keeps_the_typed_terms(ops):  # noqa: F811
    hot_pot = ops.ops.merchants[0]
    sign_in(ops)
    path = f"/ops/merchants/{hot_pot.id}"
    token = csrf(ops, path)
    refused = ops.post(
        f"{path}/contracts",
        data={"csrf_token": token, "idempotency_key": "t1", "effective_from": "2099-01-01",
              "points_per_yuan": "1", "issue_price_fen_per_point": "1", "reimbursement_fen_per_point": "1",
              "commission_rate": "abc", "member_discount": "5", "entry_fee_yuan": "1500"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert re.search(r'<input id="commission_rate"[^>]*value="abc"', refused.text)
    assert re.search(r'<input id="entry_fee_yuan"[^>]*value="1500"', refused.text)
    assert re.search(r'<input id="commission_rate"[^>]*aria-invalid="true"', refused.text)
    assert re.search(r'role="alert">平台佣金（%） 0–30：每项条款都须为数字', refused.text)


def test_the_helper_refills_only_the_posted_form_and_never_secrets():
    page = (
        '<p class="notice error" role="alert">不行。</p>'
        '<form method="post" action="/a"><label for="n">名称 <span>（必填）</span></label>'
        '<input id="n" name="n" value="old"><input name="csrf_token" type="hidden" value="fresh">'
        '<input name="pw" type="password"><textarea name="t"></textarea></form>'
        '<form method="post" action="/b"><input id="n2" name="n" value="other"></form>'
    )
    typed = {"n": "新的 <b>", "pw": "secret", "csrf_token": "old", "t": "备注"}
    out = refill(page, action="/a", values=typed, field="n", message="不行。")
    assert 'value="新的 &lt;b&gt;"' in out
    assert 'value="other"' in out  # the other form is left alone
    assert 'value="fresh"' in out
    assert "secret" not in out
    assert '<textarea name="t">备注</textarea>' in out
    assert 'role="alert">名称 （必填）：不行。' in out
    assert 'aria-describedby="n-error"' in out
    assert 'id="n-error"' in out
