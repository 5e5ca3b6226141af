"""Run one attempt from many threads at once (concurrency tests on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Race:
    won: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)  # the attempts that raised the expected refusal
    errors: list[BaseException] = field(default_factory=list)  # anything else


def race(n: int, attempt: Callable[[int], object], refused: type[BaseException]) -> Race:
    """``attempt(i)`` for i in 0..n-1, all released together by a barrier."""
    barrier = threading.Barrier(n)
    out = Race()

    def run(i: int) -> None:
        barrier.wait()
        try:
            attempt(i)
            out.won.append(i)
        except refused:
            out.lost.append(i)
        except BaseException as exc:
            out.errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out
