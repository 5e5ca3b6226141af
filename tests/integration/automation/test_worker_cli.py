"""``guildcard worker --once`` on the composition root's bus: the outbox reaches a subscriber."""

from __future__ import annotations

from contextlib import contextmanager

from standardwebhooks.webhooks import Webhook
from tests.integration.automation.conftest import ADMIN, write_events
from typer.testing import CliRunner

from guildcard.automation.handlers.webhooks import CreateSubscription
from guildcard.bootstrap import bootstrap
from guildcard.cli import worker as worker_cli
from guildcard.cli.main import app as cli_app
from guildcard.pipeline import Event
from guildcard.settings import Settings


def test_the_worker_command_dispatches_the_outbox_to_a_webhook(database, receiver, monkeypatch):
    container = bootstrap(Settings(env="development", database_url=database.url.render_as_string(False)))

    @contextmanager
    def use():
        yield container

    monkeypatch.setattr(worker_cli, "container_or_exit", use)
    sub = container.bus.execute(
        ADMIN, CreateSubscription(url=receiver.url, event_types=("members.member_registered",))
    ).value
    joined = {"member_id": "mem_1", "how": "sign_in"}
    write_events(database, [Event("members.member_registered", "mem_1", joined)])

    result = CliRunner().invoke(cli_app, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "dispatched 1 events" in result.output
    assert "1 delivered" in result.output
    [got] = receiver.received
    assert Webhook(sub.secret).verify(got.body, got.headers)["data"] == joined
