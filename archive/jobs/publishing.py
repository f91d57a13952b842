"""The attestors of `archive.services.publishing.publish_checkpoint`, built from the settings. The job
engine runs it a few times per interval (`archive.jobs.tasks`); the service decides whose turn it is, so
ticking often never offers a checkpoint more than once per interval, and several workers share the work."""

from __future__ import annotations

from datetime import timedelta

from archive.attestors import TimestampAuthority, WitnessClient
from archive.config import Settings
from archive.services.publishing import Publication

# How often per checkpoint interval the job looks for a checkpoint to offer.
TICKS_PER_INTERVAL = 4


def publication_from_settings(settings: Settings) -> Publication:
    timeout = settings.attestor_timeout
    witnesses = [WitnessClient(url, key, timeout=timeout) for url, key in settings.witness_list()]
    authority = TimestampAuthority(settings.tsa_url, timeout=timeout) if settings.tsa_url else None
    interval = timedelta(seconds=settings.checkpoint_interval)
    return Publication(witnesses, authority, settings.tsa_roots(), interval, timeout)
