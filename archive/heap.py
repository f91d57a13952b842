"""The service's heap, settled once it has started: what exists then is left out of Python's cyclic
garbage collection while it serves.

A full (oldest-generation) collection examines every container object the process holds: the modules,
the settings, the app and its routes, the ORM's mappings. In the search benchmark at 10^6 documents those
collections took 40 to 70 ms each and fell on a few percent of searches, which made most of a medium
word's p99 (on a tuned PostgreSQL, a loop of 120 searches: 134 ms p99 for a p50 of 67; with the startup
objects frozen, 78 ms). `gc.freeze` moves what exists into a permanent generation that collections skip;
what is made while serving is collected as before. No collection is run first (it costs some 80 ms, at
every app's start in the tests): whatever garbage startup left is kept until the service stops, when the
frozen objects are returned to the collector (tests start and stop many apps in one process).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The objects alive on entry are skipped by the cyclic garbage collector until exit."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
