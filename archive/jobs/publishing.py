"""Driving `archive.services.publishing.publish_checkpoint`: its attestors built from the settings, and a
thread of the server that runs it a few times per interval (the service decides whose turn it is, so
ticking often never offers a checkpoint more than once per interval, and several servers share the work)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from archive.attestors import TimestampAuthority, WitnessClient
from archive.config import Settings
from archive.services.publishing import Publication, publish_checkpoint
from archive.services.unit_of_work import UnitOfWork

log = logging.getLogger("archive.publishing")
TICKS_PER_INTERVAL = 4


def publication_from_settings(settings: Settings) -> Publication:
    timeout = settings.attestor_timeout
    witnesses = [WitnessClient(url, key, timeout=timeout) for url, key in settings.witness_list()]
    authority = TimestampAuthority(settings.tsa_url, timeout=timeout) if settings.tsa_url else None
    interval = timedelta(seconds=settings.checkpoint_interval)
    return Publication(witnesses, authority, settings.tsa_roots(), interval, timeout)


class PeriodicPublisher:
    """`publish_checkpoint` in a thread of the server until `stop()`; nothing runs without attestors."""

    def __init__(self, new_uow: Callable[[], UnitOfWork], publication: Publication) -> None:
        self.new_uow = new_uow
        self.publication = publication
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.publication.active:
            return
        self._thread = threading.Thread(target=self._run, name="checkpoint-publisher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        tick = self.publication.interval.total_seconds() / TICKS_PER_INTERVAL
        while not self._stop.wait(tick):
            self.run_once()

    def run_once(self) -> None:
        try:
            publish_checkpoint(self.new_uow(), self.publication)
        except Exception:
            # A thread has nobody to raise to; the next tick tries again.
            log.exception("publishing the checkpoint failed")

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
