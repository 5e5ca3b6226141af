import pytest

from guildcard.privacy.cipher import DecryptionFailed, FieldCipher, LookupHasher
from guildcard.privacy.phones import InvalidPhone, mask_phone, normalize_phone

KEY = "k" * 40


def test_phone_is_encrypted_differently_each_time_and_decrypts_only_in_its_context():
    cipher = FieldCipher(KEY)
    one, two = (
        cipher.encrypt("+8613812345678", context="mem_1:phone"),
        cipher.encrypt("+8613812345678", context="mem_1:phone"),
    )
    assert one != two
    assert "13812345678" not in one
    assert cipher.decrypt(one, context="mem_1:phone") == "+8613812345678"
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(one, context="mem_2:phone")
    with pytest.raises(DecryptionFailed):
        FieldCipher("other" * 8).decrypt(one, context="mem_1:phone")


def test_lookup_hash_is_stable_keyed_and_scoped_per_alliance():
    hasher = LookupHasher(KEY)
    assert hasher.digest("+8613812345678", scope="al_1") == hasher.digest("+8613812345678", scope="al_1")
    assert hasher.digest("+8613812345678", scope="al_1") != hasher.digest("+8613812345678", scope="al_2")
    assert LookupHasher("x" * 40).digest("+8613812345678", scope="al_1") != hasher.digest(
        "+8613812345678", scope="al_1"
    )


@pytest.mark.parametrize("text", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678"])
def test_phone_numbers_are_normalized_to_e164(text):
    assert normalize_phone(text) == "+8613812345678"


@pytest.mark.parametrize("text", ["12345", "1381234567", "abc", "", "10012345678"])
def test_invalid_phone_numbers_get_a_stable_code(text):
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(text)
    assert caught.value.code == "invalid_phone"


def test_phones_are_shown_masked():
    assert mask_phone("+8613812345678") == "138****5678"
