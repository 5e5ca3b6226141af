from tests.integration.alliance.world import auth


def test_a_whole_alliance_can_be_built_through_the_api(api):
    world = api.world("huangpu")
    assert len(world.merchants) == 2
    r = api.client.get("/api/v1/auth/me", headers=auth(world.merchants[0].pos))
    assert r.json()["kind"] == "pos"
