"""The loyalty context's errors: one class per condition, each with a stable code."""

from __future__ import annotations

from guildcard.kernel.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    RuleViolation,
)


class SettingsInvalid(InvalidInput):
    """The loyalty settings are not valid."""

    code = "loyalty.settings_invalid"


class UnknownSetting(InvalidInput):
    """There is no such loyalty setting."""

    code = "loyalty.unknown_setting"


class RulesInvalid(InvalidInput):
    """The merchant's earn rules are not valid."""

    code = "loyalty.rules_invalid"


class RuleOutsideLimits(RuleViolation):
    """The merchant's earn rules fall outside the limits the alliance set."""

    code = "loyalty.rule_outside_limits"


class RulesBackdated(RuleViolation):
    """Earn rules cannot take effect in the past."""

    code = "loyalty.rules_backdated"


class RulesAlreadyScheduled(Conflict):
    """Earn rules already take effect at that moment for this merchant."""

    code = "loyalty.rules_already_scheduled"


class CampaignInvalid(InvalidInput):
    """The campaign is not valid."""

    code = "loyalty.campaign_invalid"


class CampaignBudgetSpent(Conflict):
    """A campaign's budget has less left than the purchase was quoted: quote again."""

    code = "loyalty.campaign_budget_spent"


class CampaignNotFound(NotFound):
    """No such campaign."""

    code = "loyalty.campaign_not_found"


class CampaignEnded(Conflict):
    """The campaign has already ended."""

    code = "loyalty.campaign_ended"


class TierSchemeInvalid(InvalidInput):
    """The tier design is not valid."""

    code = "loyalty.tier_scheme_invalid"


class TiersNotAllowed(PermissionDenied):
    """Only the alliance's operators design tiers and set a member's tier."""

    code = "loyalty.tiers_not_allowed"


class WalletInvalid(InvalidInput):
    """The stored-value request is not valid."""

    code = "loyalty.wallet_invalid"


class WalletInsufficient(RuleViolation):
    """The member's stored value does not cover this payment."""

    code = "loyalty.wallet_insufficient"


class WalletNotFound(NotFound):
    """No such top-up, package or wallet payment."""

    code = "loyalty.wallet_not_found"


class WalletNotAllowed(PermissionDenied):
    """Not allowed on this member's stored value."""

    code = "loyalty.wallet_not_allowed"


class WalletRefundDecided(Conflict):
    """This refund request has already been decided."""

    code = "loyalty.wallet_refund_decided"


class CardInvalid(InvalidInput):
    """The paid card request is not valid."""

    code = "loyalty.card_invalid"


class CardNotFound(NotFound):
    """No such card plan or card."""

    code = "loyalty.card_not_found"


class CardCodeNotUsable(RuleViolation):
    """This activation code cannot be used (unknown, used, voided or expired)."""

    code = "loyalty.card_code_not_usable"


class CardsNotAllowed(PermissionDenied):
    """Not allowed to sell, design or activate paid cards here."""

    code = "loyalty.cards_not_allowed"


class TopUpCodeNotUsable(RuleViolation):
    """This top-up code cannot be used (unknown, used, voided or expired)."""

    code = "loyalty.topup_code_not_usable"


class TooManyCodeAttempts(RateLimited):
    """Too many top-up codes tried; wait a while before trying again."""

    code = "loyalty.too_many_code_attempts"
