"""`text.prose` over many descriptions, on every core when there is enough text to pay for it.

Taking the code out of SWE prompts is pure Python (`code_lines`, about 5 µs a line) and holds the GIL,
so on 100,000 prompts with pasted code it was three quarters of the matcher's time on one core while
the other idled. Forked workers inherit the texts (nothing is pickled on the way in) and each cleans
one contiguous slice; the results come back in order, identical to the sequential pass.

Fork, not spawn: a spawned worker re-imports the parent's `__main__` (the CLI or Dagster, seconds
each). The workers only run regular expressions on strings they already hold, take no lock another
thread could hold, and are gone before this returns, or with the parent if it is killed. A worker
killed on its own (out of memory) fails the match with BrokenProcessPool rather than hanging it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from assets.inventory.matching.matchers import N_THREADS
from assets.inventory.matching.text import prose

# the pass costs about 5 µs a line: below this many line breaks it takes about a second and forking
# would not pay. One-line prompts are cheap whatever their number (a million took 6 s) and stay
# sequential; 100,000 SWE prompts hold 7.9 million lines
PARALLEL_MIN_LINES = 200_000

_texts: Sequence[str | None] = ()  # the slice source, set in the parent just before the fork


def _clean(bounds: tuple[int, int]) -> list[tuple[int, str | None]]:
    """(index, prose) of the texts of the slice that had code: most prompts have none, and sending
    them back would copy every prompt into the parent (half a gigabyte at a million tasks)."""
    changed = []
    for i in range(*bounds):
        text = _texts[i]
        cleaned = prose(text)
        if cleaned is not text:
            changed.append((i, cleaned))
    return changed


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """A worker outlives a parent killed by the OOM killer or `kill -9`: it would hold the memory it
    inherited, and the pipe a `taskvalue refresh | tee log` reads, open forever. Linux kills it
    with the parent instead (prctl PR_SET_PDEATHSIG); elsewhere it runs to the end of its slice."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call above took effect
        os._exit(1)


def usable_cores() -> int:
    """The cores this process may run on (an affinity mask or a container's cpuset), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prose_all(texts: Sequence[str | None], min_lines: int = PARALLEL_MIN_LINES) -> list[str | None]:
    """[prose(t) for t in texts], split over min(N_THREADS, usable cores) forked workers past `min_lines`."""
    global _texts
    workers = min(N_THREADS, usable_cores())
    if (
        workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or sum(t.count("\n") for t in texts if t) < min_lines
    ):
        return [prose(t) for t in texts]
    # several slices per worker, so one slice of long prompts does not leave the other core idle
    step = -(-len(texts) // (workers * 8))
    bounds = [(i, min(i + step, len(texts))) for i in range(0, len(texts), step)]
    _texts = texts
    try:
        # an executor, not a Pool: a worker killed (out of memory) fails the run with BrokenProcessPool
        # where a Pool would wait forever for its slice
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            cleaned = list(texts)
            for part in pool.map(_clean, bounds):
                for i, text in part:
                    cleaned[i] = text
            return cleaned
    finally:
        _texts = ()
