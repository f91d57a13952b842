"""The service's startup objects are skipped by the cyclic collector while it serves, and returned after."""

from __future__ import annotations

import gc

from archive.heap import frozen_heap


def test_frozen_heap_freezes_then_returns_the_objects() -> None:
    # (Not asserted zero on entry: another app of the same test process may be serving, frozen.)
    with frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_frozen_heap_returns_the_objects_when_serving_fails() -> None:
    try:
        with frozen_heap():
            raise RuntimeError("stopped")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
