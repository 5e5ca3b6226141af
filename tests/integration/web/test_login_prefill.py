"""A deployment with one alliance prefills its code on the staff and operator login pages."""

from __future__ import annotations

from tests.integration.alliance.world import Builder, make_client


def test_the_only_alliance_is_prefilled_and_two_are_not(database):
    client, container = make_client(database)
    with client:
        builder = Builder(client, container)
        builder.alliance("solo")
        for page in ("/staff/login", "/ops/login"):
            assert 'value="solo"' in client.get(page).text, page
        builder.alliance("second")
        for page in ("/staff/login", "/ops/login"):
            assert 'value="solo"' not in client.get(page).text, page
