"""Loyalty domain: pure values and functions; no framework, no database."""

from guildcard.loyalty.domain.campaigns import Campaign, best_campaign
from guildcard.loyalty.domain.earn import (
    CategoryLine,
    EarnLine,
    EarnQuote,
    MemberStanding,
    Purchase,
    evaluate_earn,
)
from guildcard.loyalty.domain.errors import (
    CampaignEnded,
    CampaignInvalid,
    CampaignNotFound,
    RuleOutsideLimits,
    RulesAlreadyScheduled,
    RulesBackdated,
    RulesInvalid,
    SettingsInvalid,
    UnknownSetting,
)
from guildcard.loyalty.domain.redeem import RedeemQuote, RedeemReason, redeem_quote, redeem_step
from guildcard.loyalty.domain.rules import (
    EarnTerms,
    MerchantEarnRules,
    check_rules_within_limits,
    check_terms_within_limits,
    default_rules,
)
from guildcard.loyalty.domain.settings import LoyaltySettings

__all__ = [
    "Campaign",
    "CampaignEnded",
    "CampaignInvalid",
    "CampaignNotFound",
    "CategoryLine",
    "EarnLine",
    "EarnQuote",
    "EarnTerms",
    "LoyaltySettings",
    "MemberStanding",
    "MerchantEarnRules",
    "Purchase",
    "RedeemQuote",
    "RedeemReason",
    "RuleOutsideLimits",
    "RulesAlreadyScheduled",
    "RulesBackdated",
    "RulesInvalid",
    "SettingsInvalid",
    "UnknownSetting",
    "best_campaign",
    "check_rules_within_limits",
    "check_terms_within_limits",
    "default_rules",
    "evaluate_earn",
    "redeem_quote",
    "redeem_step",
]
