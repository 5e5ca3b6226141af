"""The membership terms and privacy notice a member agrees to: a version and its text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_VERSION = "2026-11"  # what an alliance that never published its own terms shows
MAX_VERSION_LEN = 32
MAX_BODY_LEN = 20_000

DEFAULT_BODY = """一、会员资格：以手机号注册成为本联盟会员，在联盟各商户消费可获得并使用积分。
二、积分：积分按联盟公布的规则发放、使用与到期；退款时相应积分退回或扣回。
三、个人信息：我们只收集提供会员服务所需的手机号与您自愿填写的资料，加密保存，不向联盟以外的机构出售或提供。
四、您的权利：您可以随时查看、更正您的资料，撤回可选的授权，或申请注销会员并删除个人信息。
五、条款变更：条款更新后，您下次访问时会被请求重新同意。"""


@dataclass(frozen=True)
class Terms:
    version: str
    body: str
    published_at: datetime | None = None  # None: the default text, never published


DEFAULT_TERMS = Terms(DEFAULT_VERSION, DEFAULT_BODY)
