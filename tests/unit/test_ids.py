from guildcard.kernel.ids import is_id, new_id


def test_ids_are_prefixed_opaque_and_sort_by_creation():
    ids = [new_id("mem") for _ in range(2000)]
    assert all(is_id(i, "mem") for i in ids)
    assert ids == sorted(ids), "ids made later must sort later"
    assert len(set(ids)) == len(ids)
    assert not any(i.split("_")[1].isdigit() for i in ids), "never bare sequential integers"


def test_is_id_rejects_foreign_shapes():
    assert not is_id("12345")
    assert not is_id("mem_short")
    assert not is_id(new_id("mer"), "mem")
