"""Stored value and paid cards at the counter in a real Chromium: a cashier tops up a member's
wallet with a plan and its bonus, sells a paid card (the receipt shows the price paid), then the
member pays part of a purchase with the wallet and the receipt shows it; on the phone the member
sees the growth list and tops up with a code (储值卡密). Only the app's host is contacted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from tests.e2e.counter_world import coalition
from tests.e2e.test_browser_counter import sign_in_with_keyboard

from guildcard.bootstrap import Container, bootstrap
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.settings import load_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def same_data(live_server, monkeypatch) -> Iterator[Container]:
    """The live server's database and secrets, for what no page sets up yet (card plans)."""
    monkeypatch.setenv("GUILDCARD_ENV", "development")
    monkeypatch.setenv("GUILDCARD_DATA_DIR", str(live_server.log_path.parent))
    container = bootstrap(load_settings())
    yield container
    container.close()


def test_a_cashier_tops_up_sells_a_card_and_the_member_pays_with_stored_value(
    browser, live_server, same_data, artifacts_dir
):
    world = coalition(live_server, "ctr-wallet")
    hot_pot = world.shop("蜀香火锅")
    member = world.member("13912340077", phone_lookup=True)
    admin = Actor(ActorKind.OPERATOR, "opr_wallet_test", world.id, role="admin")
    same_data.wallets.create_package(
        admin, name="充500送50", pay_fen=50_000, bonus_fen=5_000, idempotency_key="pkg-500"
    )
    same_data.cards.create_plan(
        admin, name="金卡季卡", price_fen=6_800, period="quarter", benefits_text="三个月金卡权益",
        idempotency_key="plan-gold",
    )  # fmt: skip

    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    sign_in_with_keyboard(page, live_server.base_url, world.code, hot_pot.cashier_login)

    # Top up: scan the member, see the balance (nothing yet), collect ¥500 for the 充500送50 plan.
    page.goto(f"{live_server.base_url}/counter/topup")
    page.keyboard.type(world.member_code(member))
    page.keyboard.press("Enter")
    page.wait_for_selector("#topup-choice")
    assert page.locator("#wallet-balance").inner_text() == "¥0.00"
    assert "充500送50" in page.locator("#topup-choice").inner_text()
    page.screenshot(path=str(artifacts_dir / "counter-topup-choice.png"), full_page=True)
    page.get_by_role("button", name="收款 ¥500.00").click()
    page.wait_for_selector("#topup-done")
    assert page.locator("#topup-paid").inner_text() == "¥500.00"
    assert page.locator("#topup-bonus").inner_text() == "¥50.00"
    assert page.locator("#topup-balance").inner_text() == "¥550.00"
    page.screenshot(path=str(artifacts_dir / "counter-topup-done.png"), full_page=True)

    # Sell a paid card to the same member.
    page.goto(f"{live_server.base_url}/counter/cards")
    page.keyboard.type("13912340077")  # by consented phone: a member's codes come one per 30 s
    page.keyboard.press("Enter")
    page.wait_for_selector("#card-choice")
    assert "金卡季卡" in page.locator("#card-choice").inner_text()
    page.screenshot(path=str(artifacts_dir / "counter-card-choice.png"), full_page=True)
    page.get_by_role("button", name="收款 ¥68.00").click()
    page.wait_for_selector("#card-done")
    assert page.locator("#card-name").inner_text() == "金卡季卡"
    assert page.locator("#card-price").inner_text() == "¥68.00"  # the price paid, on the receipt
    page.screenshot(path=str(artifacts_dir / "counter-card-done.png"), full_page=True)

    # A ¥128 purchase: the preview shows the wallet, the cashier uses ¥100 of it, cash pays the rest.
    page.goto(f"{live_server.base_url}/counter")
    page.keyboard.type(world.member_code(member))
    page.keyboard.press("Enter")
    page.keyboard.type("128")
    page.keyboard.press("Enter")
    page.wait_for_selector("#preview")
    assert page.locator("#wallet-balance").inner_text() == "¥550.00"
    assert page.locator("#wallet-used").inner_text() == "¥0.00"
    cash_before = page.locator("#cash-due").inner_text()
    page.fill("#wallet-amount", "100")
    page.click("#wallet-apply")
    page.wait_for_function("document.querySelector('#wallet-used').innerText === '¥100.00'")
    assert page.locator("#wallet-pays").inner_text() == "-¥100.00"
    cash_after = page.locator("#cash-due").inner_text()
    assert _fen(cash_before) - _fen(cash_after) == 10_000
    page.screenshot(path=str(artifacts_dir / "counter-preview-wallet.png"), full_page=True)
    page.click("#confirm")
    page.wait_for_selector("#receipt")
    assert page.locator("#receipt-wallet").inner_text().startswith("¥100.00")
    assert page.locator("#receipt-cash").inner_text() == cash_after
    page.screenshot(path=str(artifacts_dir / "counter-receipt-wallet.png"), full_page=True)

    # The next preview offers the rest: ¥450 left, a ¥30 bill can be paid with it in full.
    page.goto(f"{live_server.base_url}/counter")
    page.keyboard.type("13912340077")
    page.keyboard.press("Enter")
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    page.wait_for_selector("#preview")
    assert page.locator("#wallet-balance").inner_text() == "¥450.00"
    page.click("#wallet-max")
    page.wait_for_selector("#wallet-none")
    assert page.locator("#cash-due").inner_text() == "¥0.00"
    page.click("#confirm")  # paid in full from the wallet
    page.wait_for_selector("#receipt")
    assert page.locator("#receipt-cash").inner_text() == "¥0.00"
    context.close()

    # The member's phone: the wallet page lists the top-up and the two payments, newest first.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.add_cookies([{"name": "gc_session", "value": member, "url": live_server.base_url}])
    h5 = phone.new_page()
    h5.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    h5.goto(f"{live_server.base_url}/m/wallet")
    assert h5.locator("#wallet-total").inner_text() == "¥421.50"  # ¥550 - ¥100 - ¥28.50
    kinds = h5.locator("#wallet-history .m-kind").all_inner_texts()
    assert kinds == ["支付", "支付", "充值"]
    h5.screenshot(path=str(artifacts_dir / "member-wallet.png"), full_page=True)
    # Two purchases in the growth list (成长值明细), each with its order number.
    assert h5.locator("#growth-entries .m-kind").all_inner_texts() == ["消费", "消费"]
    # A ¥100 top-up code (储值卡密) sold by the hot-pot, typed on the phone as printed.
    batch = same_data.wallets.generate_codes(
        admin, merchant_id=hot_pot.id, face_fen=10_000, size=1,
        expires_at=same_data.clock.now() + timedelta(days=30), idempotency_key="codes-1",
    ).value  # fmt: skip
    h5.get_by_label("充值卡密").fill(batch.codes[0][:6] + "-" + batch.codes[0][6:])
    h5.get_by_role("button", name="充值", exact=True).click()
    h5.wait_for_selector("#redeemed")
    assert h5.locator("#wallet-total").inner_text() == "¥521.50"
    assert h5.locator("#wallet-history .m-kind").first.inner_text() == "充值"
    h5.screenshot(path=str(artifacts_dir / "member-wallet-code.png"), full_page=True)
    h5.get_by_label("充值卡密").fill(batch.codes[0])
    h5.get_by_role("button", name="充值", exact=True).click()
    assert "此充值卡密无法使用" in h5.locator(".notice.warn").inner_text()
    phone.close()
    assert hosts == {urlparse(live_server.base_url).netloc}


def _fen(text: str) -> int:
    return round(float(text.removeprefix("¥").replace(",", "")) * 100)
