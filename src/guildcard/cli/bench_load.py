"""The counter benchmark's load generator: its own process, CLIENTS asyncio clients over httpx.

``python -m guildcard.cli.bench_load '<spec as JSON>'`` runs one mode for ``seconds`` and prints
one JSON object (what succeeded, per second, latency percentiles, errors by status and code):

- ``tpcb``: ``POST /bench/tpcb`` (the bare route of ``bench_server``), no credential;
- ``single``: ``POST /api/v1/counter/purchases``, one purchase per request;
- ``batch``: ``POST /api/v1/counter/purchases:batch``, ``batch`` purchases per request.

Purchases go alternately to each target (a store and its POS key). Each client buys for its own
slice of the members (no two clients ever wait on the same member's row, so batches cannot
deadlock one another); the member is named by the phone they let the counter look up. Three
purchases in ten pay part with points (100 to 800, well within the 50 % share and the opening
balance); every purchase earns on its cash part.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from typing import Any

PURCHASES = "/api/v1/counter/purchases"
BATCH = "/api/v1/counter/purchases:batch"
TPCB = "/bench/tpcb"


def purchase(spec: dict[str, Any], store_id: str, worker: int, n: int) -> dict[str, Any]:
    """Purchase ``n`` of client ``worker``: its member, bill and points follow from the numbers."""
    phones: list[str] = spec["phones"]
    per_client = max(1, len(phones) // spec["clients"])
    member = (worker * per_client + n * 31 % per_client) % len(phones)
    return {
        "store_id": store_id,
        "phone": phones[member],
        "order_no": f"{spec['tag']}-{worker}-{n}",
        "amount_fen": 2000 + (n % 50) * 137,
        "points_to_use": 100 * (1 + n % 8) if n % 10 < 3 else 0,
    }


def _percentile(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    import httpx  # noqa: PLC0415 - only the load generator needs it

    mode, clients, targets = spec["mode"], spec["clients"], spec["targets"]
    size = spec.get("batch", 100)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    codes: Counter[str] = Counter()
    done = 0
    deadline = time.monotonic() + spec["seconds"]

    def count_error(status: int, body: dict[str, Any]) -> None:
        statuses[status] += 1
        codes[str(body.get("code", status))] += 1

    async def client(worker: int) -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=spec["url"], timeout=60) as http:
            n = 0
            while time.monotonic() < deadline:
                target = targets[(worker + n) % len(targets)]
                headers = {"Authorization": f"Bearer {target['key']}"}
                if mode == "tpcb":
                    path, body, headers = TPCB, None, {}
                elif mode == "single":
                    path, body = PURCHASES, purchase(spec, target["store_id"], worker, n)
                else:
                    items = [purchase(spec, target["store_id"], worker, n * size + k) for k in range(size)]
                    path, body = BATCH, {"purchases": items}
                started = time.perf_counter()
                response = await http.post(path, json=body, headers=headers)
                elapsed = time.perf_counter() - started
                n += 1
                ok = response.status_code == (201 if mode == "single" else 200)
                if not ok:
                    problem = response.json() if "json" in response.headers.get("content-type", "") else {}
                    count_error(response.status_code, problem)
                    continue
                latencies.append(elapsed)
                if mode != "batch":
                    done += 1
                    continue
                for result in response.json()["results"]:
                    if result["outcome"] == "created":
                        done += 1
                    else:
                        count_error(200, result["error"] or {"code": result["outcome"]})

    started = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "mode": mode,
        "done": done,
        "seconds": wall,
        "per_second": done / wall,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else None,
        "p99_ms": _percentile(ordered, 0.99),
        "errors": dict(statuses),
        "codes": dict(codes),
    }


def main(argv: list[str]) -> None:
    print(json.dumps(asyncio.run(run(json.loads(argv[0])))))


if __name__ == "__main__":
    main(sys.argv[1:])
