from __future__ import annotations

import pytest
from tests.integration.alliance.world import Builder, make_client


@pytest.fixture
def api(database):
    client, container = make_client(database)
    with client:
        yield Builder(client, container)
