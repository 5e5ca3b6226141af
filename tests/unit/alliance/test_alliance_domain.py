"""The alliance's pure rules: credit codes, contract terms, review transitions, permissions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from guildcard.alliance.domain.access import Perm, authorize
from guildcard.alliance.domain.contracts import (
    DEFAULT_LIMITS,
    ContractTerms,
    ContractVersion,
    version_in_force,
)
from guildcard.alliance.domain.credit_code import (
    ALPHABET,
    check_character,
    is_valid_credit_code,
    normalize_credit_code,
)
from guildcard.alliance.domain.errors import (
    Forbidden,
    InvalidCreditCode,
    InvalidTransition,
    NoContract,
    ObjectNotFound,
    TermsOutOfLimits,
)
from guildcard.alliance.domain.onboarding import ApplicationStatus as S
from guildcard.alliance.domain.onboarding import ReviewDecision as D
from guildcard.alliance.domain.onboarding import next_status
from guildcard.kernel.actors import Actor, ActorKind

# Real-format codes (registration authority, type, division, organisation code) with check characters
# computed by hand from GB 32100-2015: sum of value × weight, 31 - (sum mod 31).
VALID = ["91440300MA5FUTDQ2W", "92510104MA61W3XY4E", "91310115MA1H7GXK00"]


@pytest.mark.parametrize("code", VALID)
def test_valid_credit_codes_pass_and_are_normalized(code):
    assert normalize_credit_code(f" {code.lower()} ") == code


def test_a_hand_computed_check_character():
    # 9,1,4,4,0,3,0,0,M(21),A(10),5,F(15),U(27),T(26),D(13),Q(24),2 against the weights: sum = 1022,
    # 1022 mod 31 = 30, 31 - 30 = 1 ... the standard's example arithmetic, checked by the function.
    body = "91440300MA5FUTDQ2"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True))
    assert check_character(body) == ALPHABET[(31 - total % 31) % 31] == "W"


@pytest.mark.parametrize("code", VALID)
def test_every_single_character_corruption_is_caught(code):
    for position in range(18):
        for replacement in "0A":
            corrupted = code[:position] + replacement + code[position + 1 :]
            if corrupted != code:
                assert not is_valid_credit_code(corrupted), corrupted


@pytest.mark.parametrize(
    "bad", ["", "91440300MA5FUTDQ2", "91440300MA5FUTDQ2WX", "91440300MA5FUTDQIW", "9144030OMA5FUTDQ2W"]
)
def test_malformed_credit_codes_are_refused_with_a_stable_code(bad):
    with pytest.raises(InvalidCreditCode) as caught:
        normalize_credit_code(bad)
    assert caught.value.code == "alliance.invalid_credit_code"


def test_the_review_state_machine():
    assert next_status(S.SUBMITTED, D.APPROVE) is S.APPROVED
    assert next_status(S.SUBMITTED, D.REQUEST_CHANGES) is S.CHANGES_REQUESTED
    assert next_status(S.CHANGES_REQUESTED, D.RESUBMIT) is S.SUBMITTED
    assert next_status(S.CHANGES_REQUESTED, D.REJECT) is S.REJECTED
    for status, decision in [
        (S.APPROVED, D.REJECT),
        (S.REJECTED, D.APPROVE),
        (S.CHANGES_REQUESTED, D.APPROVE),
    ]:
        with pytest.raises(InvalidTransition):
            next_status(status, decision)


TERMS = ContractTerms(Decimal(1), Decimal("0.8"), Decimal("0.7"), Decimal("0.03"), Decimal("0.05"), 100000)


def test_terms_outside_the_limits_name_the_offending_term():
    DEFAULT_LIMITS.check(TERMS)
    with pytest.raises(TermsOutOfLimits) as caught:
        DEFAULT_LIMITS.check(
            ContractTerms(Decimal(1), Decimal("0.8"), Decimal("0.7"), Decimal("0.31"), Decimal(0), 0)
        )
    assert caught.value.details["field"] == "commission_rate"
    assert ContractTerms.from_mapping(TERMS.as_strings()) == TERMS


def test_the_version_in_force_is_the_latest_that_started():
    def version(day: int, ppy: str) -> ContractVersion:
        at = datetime(2026, 11, day, tzinfo=UTC)
        terms = ContractTerms(Decimal(ppy), *[Decimal(0)] * 4, 0)
        return ContractVersion(f"con_{day}", "mer_1", at, terms, at, "opr_1")

    versions = [version(20, "2"), version(1, "1")]
    assert version_in_force(versions, datetime(2026, 11, 19, tzinfo=UTC)).terms.points_per_yuan == 1
    assert version_in_force(versions, datetime(2026, 11, 20, tzinfo=UTC)).terms.points_per_yuan == 2
    with pytest.raises(NoContract):
        version_in_force(versions, datetime(2026, 10, 31, tzinfo=UTC))


def test_permissions_hide_other_tenants_and_refuse_roles():
    cashier = Actor(
        ActorKind.STAFF, "stf_1", "all_a", role="cashier", merchant_id="mer_1", store_ids=frozenset({"sto_1"})
    )
    authorize(cashier, Perm.STORE_READ, alliance_id="all_a", merchant_id="mer_1", store_id="sto_1")
    with pytest.raises(ObjectNotFound):
        authorize(cashier, Perm.STORE_READ, alliance_id="all_a", merchant_id="mer_1", store_id="sto_2")
    with pytest.raises(ObjectNotFound):
        authorize(cashier, Perm.STORE_READ, alliance_id="all_b", merchant_id="mer_1", store_id="sto_1")
    with pytest.raises(Forbidden):
        authorize(cashier, Perm.STAFF_WRITE, alliance_id="all_a", merchant_id="mer_1")
    viewer = Actor(ActorKind.OPERATOR, "opr_1", "all_a", role="viewer")
    with pytest.raises(Forbidden):
        authorize(viewer, Perm.CONTRACT_WRITE, alliance_id="all_a", merchant_id="mer_1")
    member = Actor(ActorKind.MEMBER, "mem_1", "all_a")
    with pytest.raises(ObjectNotFound):
        authorize(member, Perm.MERCHANT_READ, alliance_id="all_a", merchant_id="mer_1")
