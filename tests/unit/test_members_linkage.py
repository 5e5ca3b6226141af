"""Record linkage on people: preparing names and birthdays, and the model's quality on a labelled set."""

from __future__ import annotations

import pytest

from guildcard.members.linkage import model, synthetic
from guildcard.members.linkage.prepare import prepare


def test_chinese_and_latin_names_meet_in_pinyin_in_either_order():
    a, b, c = prepare({"name": "王伟"}), prepare({"name": "Wei Wang"}), prepare({"name": "伟王"})
    assert a.name_tokens == b.name_tokens == "wang wei"
    assert a.name_syllables == c.name_syllables
    assert prepare({"name": "欧阳娜娜"}).family == "ouyang"
    assert prepare({"family_name": "Wang", "given_name": "Wei"}).name_tokens == "wang wei"


@pytest.mark.parametrize("written", ["2026-11-23", "20261123", "2026/11/23", "2026年11月23日"])
def test_birthdays_in_the_common_forms(written):
    assert prepare({"birthday": written}).birth_digits == "20261123"


def test_an_impossible_date_is_a_value_with_a_typo_not_a_crash():
    prepared = prepare({"birthday": "1990-13-45"})
    assert (prepared.birth_y, prepared.birth_m, prepared.birth_d) == ("1990", "13", "45")
    assert prepare({"birthday": "not a date"}).birth_digits is None


def test_phones_lose_the_country_code_and_formatting():
    assert prepare({"phone": "+86 138 0013 8000"}).phone == "13800138000"
    assert prepare({"phone": "13800138000"}).phone_tail == "00138000"


@pytest.mark.slow
def test_the_model_finds_the_duplicates_of_a_labelled_synthetic_set():
    everyone = synthetic.people(1500, seed=7)
    pairs = model.find_pairs([prepare(p.record()) for p in everyone])
    quality = synthetic.score(everyone, [(p.id_l, p.id_r) for p in pairs])
    assert quality.true_pairs == 300
    assert quality.precision >= 0.95
    assert quality.recall >= 0.90
    top = pairs[0]
    assert set(top.contributions) == {"name", "birthday", "phone", "address", "id_number"}
    assert sum(c.weight for c in top.contributions.values()) > 0
