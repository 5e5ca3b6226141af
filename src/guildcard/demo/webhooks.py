"""The demo's webhooks: an integrator's endpoint (a receiver on 127.0.0.1 while seeding) subscribed to
refunds and backfills, and the worker delivering the seeded story's events to it, signed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from guildcard.automation.domain.webhooks import DeliveryStatus
from guildcard.automation.handlers.webhooks import CreateSubscription, SetSubscriptionStatus
from guildcard.automation.queries.webhooks import delivery_counts
from guildcard.automation.sender import HttpTransport
from guildcard.automation.worker import Worker
from guildcard.bootstrap import Container
from guildcard.demo.setup import SeededAlliance

EVENTS = ("counter.purchase_refunded", "counter.backfill_requested")


class _Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


def seed_webhooks(container: Container, alliance: SeededAlliance) -> int:
    """Deliver the story's refunds and backfills to a local endpoint; how many were delivered."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/guildcard"
    bus, transport = container.bus, HttpTransport(timeout=5)
    try:
        command = CreateSubscription(url=url, event_types=EVENTS, description="POS 对接演示 (demo receiver)")
        sub = bus.execute(alliance.admin, command).value
        Worker(bus, container.database, transport, name="demo-worker").drain()
        # The receiver goes away with the seeding: park the endpoint rather than let it fail for a day.
        bus.execute(alliance.admin, SetSubscriptionStatus(subscription_id=sub.id, active=False))
    finally:
        transport.close()
        server.shutdown()
        server.server_close()
    with container.database.read() as conn:
        return delivery_counts(conn, alliance.id).get(DeliveryStatus.DELIVERED.value, 0)
