"""Fire requests at the same moment, in threads, to catch check-then-insert races.

Threads share the application but not a connection: use them in tests marked ``commits``.
"""

import contextlib
import threading
from collections.abc import Callable
from typing import Any

TIMEOUT = 30


def in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait(TIMEOUT)
        try:
            results[index] = call()
        except BaseException as error:  # reported to the test, not lost in the thread
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def check_together(monkeypatch, module, name: str, parties: int) -> None:
    """Make each thread's first call of ``module.name`` return only once all have made it.

    Every request then finds the row absent before any inserts it: the race is certain
    instead of likely.
    """
    original = getattr(module, name)
    barrier = threading.Barrier(parties)
    done = threading.local()

    def first_calls_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(done, "waited", False):
            done.waited = True
            with contextlib.suppress(threading.BrokenBarrierError):  # a thread that failed
                barrier.wait(TIMEOUT / 3)
        return result

    monkeypatch.setattr(module, name, first_calls_wait)
