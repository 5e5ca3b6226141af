"""``guildcard worker``: dispatch the outbox, send webhooks, run the due jobs, until stopped.

Run as many as you like (on PostgreSQL rows are claimed with SKIP LOCKED; on SQLite one writer
at a time): none does anything twice.
"""

from __future__ import annotations

import signal
import threading
from datetime import date

import typer

from guildcard.automation.handlers.schedules import RunSchedules
from guildcard.automation.sender import HttpTransport
from guildcard.automation.worker import Job, Worker
from guildcard.bootstrap import Container
from guildcard.cli.common import console, container_or_exit
from guildcard.kernel.actors import system_actor
from guildcard.kernel.clock import business_date


def ledger_jobs(container: Container) -> Job:
    """Release pending points, void timed-out holds, expire yesterday's points: safe to re-run."""

    def run_due_ledger_jobs() -> None:
        service = container.ledger()
        moment = container.clock.now()
        yesterday = date.fromordinal(business_date(moment).toordinal() - 1)
        for alliance_id in service.alliances():
            service.release_pending(alliance_id, as_of=moment)
            service.void_expired_holds(alliance_id, as_of=moment)
            service.expire(alliance_id, as_of=yesterday)

    return run_due_ledger_jobs


def automation_jobs(container: Container) -> Job:
    """Schedule triggers (birthdays, quiet spells, expiring points, dates): each member's
    occurrence runs once, so running this every minute only finds what became due."""

    def run_due_schedules() -> None:
        for alliance_id in container.ledger().alliances():
            container.bus.execute(system_actor(alliance_id, "schedules"), RunSchedules())

    return run_due_schedules


def build_worker(container: Container, *, name: str = "worker") -> tuple[Worker, HttpTransport]:
    transport = HttpTransport()
    worker = Worker(
        container.bus,
        container.database,
        transport,
        name=name,
        jobs=[ledger_jobs(container), automation_jobs(container)],
        router=container.message_router(),
    )
    return worker, transport


def start_in_background(container: Container) -> threading.Event:
    """A worker thread beside the server (``guildcard up``, ``guildcard demo``); set the event to stop it."""
    stop = threading.Event()
    worker, _transport = build_worker(container, name="worker-in-process")
    threading.Thread(target=worker.run, args=(stop,), name="guildcard-worker", daemon=True).start()
    return stop


def worker(
    once: bool = typer.Option(False, "--once", help="Do what is due now, then exit."),
    idle_sleep: float = typer.Option(1.0, "--idle-sleep", min=0.05, help="Seconds to wait when idle."),
    name: str = typer.Option("worker", help="This worker's name (in the audit log)."),
) -> None:
    """Dispatch the outbox to webhooks (and, as they land, rules and messages); run due jobs."""
    with container_or_exit() as container:
        runner, transport = build_worker(container, name=name)
        try:
            if once:
                done = runner.drain()
                console.print(
                    f"dispatched {done.events} events, queued {done.queued}, sent {done.sent} "
                    f"({done.delivered} delivered), ran {done.jobs} jobs"
                )
                return
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            console.print(f"[bold]{name}[/] is running; Ctrl+C stops it")
            try:
                runner.run(stop, idle_sleep_s=idle_sleep)
            except KeyboardInterrupt:
                stop.set()
        finally:
            transport.close()
