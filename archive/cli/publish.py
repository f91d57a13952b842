"""`archive log publish`: offer the newest checkpoint to the witnesses and the time-stamping authority now,
as the server does once per interval (for a deployment whose servers do not, or from cron)."""

from __future__ import annotations

from archive.cli.runtime import Runtime, fail, out
from archive.jobs.publishing import publication_from_settings
from archive.services.publishing import publish_checkpoint


def log_publish() -> None:
    """Offer the newest checkpoint to every attestor whose turn it is; exit 1 if one refused it."""
    with Runtime.load() as runtime:
        publication = publication_from_settings(runtime.settings)
        if not publication.active:
            fail("no attestor configured: set ARCHIVE_WITNESSES or ARCHIVE_TSA_URL")
        outcomes = publish_checkpoint(runtime.unit_of_work(), publication)
    for outcome in outcomes:
        detail = f": {outcome.detail}" if outcome.detail else ""
        out.print(
            f"{outcome.attestor}: {outcome.result} (checkpoint {outcome.tree_size}){detail}", highlight=False
        )
    if any(outcome.result == "refused" for outcome in outcomes):
        fail("an attestor refused the checkpoint")
