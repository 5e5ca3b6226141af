"""The audit log as an operator reads it: who (by name), did what (in words), to which object (by
its name), from where (merchant, store, request), in the page's language.

The log itself stores codes and ids (``audit/``); this module turns them into a line such as
``2026-12-01 09:00 · 王敏（运营） · 结算：关闭结算期 · 结算期 2026-11``. Unknown codes are shown
as they are, so a new action is never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guildcard.audit.log import AuditEntry
from guildcard.kernel.money import format_fen

# action -> (zh-CN, en)
ACTIONS: dict[str, tuple[str, str]] = {
    "alliance.create": ("创建联盟", "alliance created"),
    "alliance.alliance_created": ("创建联盟", "alliance created"),
    "alliance.operator_disabled": ("停用运营账号", "operator disabled"),
    "alliance.set_categories": ("设置行业分类", "trade categories set"),
    "alliance.set_limits": ("设置合同上下限", "contract limits set"),
    "application.approve": ("批准入驻申请", "application approved"),
    "application.reject": ("拒绝入驻申请", "application rejected"),
    "application.request_changes": ("退回入驻申请（需修改）", "application sent back"),
    "auth.login": ("登录", "signed in"),
    "auth.login_failed": ("登录失败", "sign-in failed"),
    "auth.activate": ("激活账号", "account activated"),
    "auth.change_password": ("修改密码", "password changed"),
    "contract.set": ("设置合同条款", "contract terms set"),
    "counter.adjust_points": ("人工调整积分", "points adjusted"),
    "counter.backfill_approved": ("批准消费补录", "backfill approved"),
    "counter.backfill_rejected": ("驳回消费补录", "backfill rejected"),
    "counter.purchase": ("收银消费", "purchase recorded"),
    "counter.backfill_purchase": ("补录消费入账", "backfilled purchase recorded"),
    "counter.refund": ("退款", "refund"),
    "counter.backfill_requested": ("申请消费补录", "backfill requested"),
    "counter.refund_requested": ("申请退款审批（积分不足）", "refund approval requested (points short)"),
    "counter.refund_approved": ("批准退款", "refund approved"),
    "counter.refund_rejected": ("驳回退款", "refund rejected"),
    "members.otp_failed": ("会员验证码错误", "member sign-in code wrong"),
    "members.sign_in": ("会员登录", "member signed in"),
    "members.register": ("会员注册", "member registered"),
    "members.update_profile": ("会员修改资料", "member profile changed"),
    "members.set_consent": ("会员授权变更", "member consent changed"),
    "ledger.policies_changed": ("修改积分有效期规则", "expiry rules changed"),
    "loyalty.set_merchant_rules": ("修改商户积分规则", "merchant earn rules changed"),
    "loyalty.update_settings": ("修改联盟积分设置", "alliance points settings changed"),
    "loyalty.create_campaign": ("创建营销活动", "campaign created"),
    "loyalty.update_campaign": ("修改营销活动", "campaign changed"),
    "loyalty.end_campaign": ("结束营销活动", "campaign ended"),
    "members.duplicate_review": ("处理重复会员", "duplicate members reviewed"),
    "members.erase": ("删除会员个人信息", "member erased"),
    "merchant.suspend": ("暂停商户", "merchant suspended"),
    "merchant.reactivate": ("恢复商户", "merchant reactivated"),
    "operator.create": ("新增运营账号", "operator added"),
    "operator.disable": ("停用运营账号", "operator disabled"),
    "pos_key.create": ("创建 POS 密钥", "POS key created"),
    "pos_key.revoke": ("吊销 POS 密钥", "POS key revoked"),
    "settlement.close_period": ("关闭结算期", "period closed"),
    "settlement.set_breakage_mode": ("设置过期积分归属", "breakage mode set"),
    "settlement.set_limit": ("设置发放额度", "issuance limit set"),
    "staff.create": ("新增员工", "staff added"),
    "staff.update": ("修改员工", "staff changed"),
    "store.create": ("新增门店", "store added"),
    "store.update": ("修改门店", "store changed"),
}

OBJECTS: dict[str, tuple[str, str]] = {
    "alliance": ("联盟", "alliance"),
    "merchant": ("商户", "merchant"),
    "store": ("门店", "store"),
    "staff": ("员工", "staff"),
    "operator": ("运营账号", "operator"),
    "application": ("入驻申请", "application"),
    "contract": ("合同", "contract"),
    "pos_key": ("POS 密钥", "POS key"),
    "campaign": ("营销活动", "campaign"),
    "settlement_period": ("结算期", "period"),
    "settlement_settings": ("结算设置", "settlement settings"),
    "issuance_limit": ("发放额度", "issuance limit"),
    "member": ("会员", "member"),
    "member_duplicate": ("重复会员", "duplicate members"),
    "ledger": ("账本", "ledger"),
    "backfill": ("消费补录", "backfill"),
    "loyalty_settings": ("积分设置", "points settings"),
    "merchant_rules": ("商户积分规则", "merchant earn rules"),
    "login": ("登录名", "login"),
    "purchase": ("消费单", "purchase"),
    "refund": ("退款单", "refund"),
    "otp": ("验证码", "sign-in code"),
}

ACTOR_KINDS: dict[str, tuple[str, str]] = {
    "operator": ("运营", "operator"),
    "staff": ("商户员工", "staff"),
    "system": ("系统", "system"),
    "pos": ("POS", "POS"),
    "member": ("会员", "member"),
}

DETAILS: dict[str, tuple[str, str]] = {
    "statements": ("结算单数", "statements"),
    "checkpoint_seq": ("账本检查点", "checkpoint"),
    "breakage_mode": ("过期积分归属", "breakage mode"),
    "limit_points": ("额度（积分）", "limit (points)"),
    "period_kind": ("周期", "period"),
    "mode": ("方式", "mode"),
    "role": ("角色", "role"),
    "status": ("状态", "status"),
    "fields": ("修改的字段", "fields changed"),
    "changed": ("修改的字段", "fields changed"),
    "version": ("版本", "version"),
    "points": ("积分", "points"),
    "reason": ("原因", "reason"),
    "decision": ("决定", "decision"),
    "approve": ("批准", "approved"),
    "multiplier": ("倍数", "multiplier"),
    "name": ("名称", "name"),
    "from": ("原状态", "from"),
    "to": ("新状态", "to"),
    "code": ("代码", "code"),
    "commission_rate": ("佣金比例", "commission rate"),
    "effective_from": ("生效日期", "effective from"),
    "entry_fee_fen": ("入驻费（分）", "entry fee (fen)"),
    "issue_price_fen_per_point": ("发放单价（分/积分）", "issue price (fen/point)"),
    "reimbursement_fen_per_point": ("兑付单价（分/积分）", "reimbursement (fen/point)"),
    "member_discount": ("会员折扣", "member discount"),
    "points_per_yuan": ("每元积分", "points per yuan"),
    "attempts_left": ("剩余尝试次数", "attempts left"),
    "amount_fen": ("金额", "amount"),
    "points_used": ("使用积分", "points used"),
    "order_no": ("订单号", "order number"),
    "receipt_no": ("小票号", "receipt number"),
    "consent": ("授权项", "consent"),
    "granted": ("同意", "granted"),
    "registered": ("新注册", "newly registered"),
    "shortfall_points": ("积分缺口", "points short"),
    "settle_as": ("退款方式", "settled as"),
}


def _pick(pair: tuple[str, str] | None, fallback: str, language: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if language.startswith("en") else pair[0]


def action_label(action: str, language: str) -> str:
    return _pick(ACTIONS.get(action), action, language)


def _value(value: Any, language: str) -> str:
    if isinstance(value, bool):
        return ("yes" if value else "no") if language.startswith("en") else ("是" if value else "否")
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def _money(key: str, value: Any) -> str:
    """Amounts the new lines record in fen (``amount_fen``), in yuan; "" for anything else."""
    if key == "amount_fen" and isinstance(value, int) and not isinstance(value, bool):
        return format_fen(value)
    return ""


@dataclass(frozen=True)
class AuditLine:
    id: str
    at: datetime
    actor_id: str
    who: str  # 王敏（运营）
    action: str
    what: str  # 关闭结算期
    object_type: str
    object_id: str
    on: str  # 结算期 2026-11 / 商户 蜀香阁火锅
    where: str  # merchant · store · request
    details: str


def readable(entry: AuditEntry, names: dict[str, str], language: str) -> AuditLine:
    """One audit entry in words; ``names`` maps ids (people, merchants, stores) to their names."""
    kind = _pick(ACTOR_KINDS.get(entry.actor_kind), entry.actor_kind, language)
    person = names.get(entry.actor_id, entry.actor_id)
    who = f"{person}（{kind}）" if not language.startswith("en") else f"{person} ({kind})"
    object_kind = _pick(OBJECTS.get(entry.object_type), entry.object_type, language)
    on = f"{object_kind} {names.get(entry.object_id, entry.object_id)}"
    places = [names.get(x, x) for x in (entry.merchant_id, entry.store_id) if x]
    if entry.request_id:
        places.append(("request " if language.startswith("en") else "请求 ") + entry.request_id[:12])
    details = "；".join(
        f"{_pick(DETAILS.get(k), k, language)}：{_money(k, v) or _value(v, language)}"
        for k, v in sorted(entry.details.items())
    )
    return AuditLine(
        entry.id, entry.at, entry.actor_id, who, entry.action, action_label(entry.action, language),
        entry.object_type, entry.object_id, on, " · ".join(places), details,
    )  # fmt: skip
