"""Archiving in one unit of work, once per `Idempotency-Key` (shared by the API and the web interface)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from archive.api.deps import AppContext
from archive.api.uploads import ReceivedForm
from archive.services.idempotency import IdempotencyRace, recall, remember
from archive.services.ingest import ingest_document
from archive.services.keys import Principal
from archive.services.metadata import SuppliedMetadata
from archive.wire.versions import VersionOut

Work = Callable[[Session], tuple[VersionOut, bool]]


def archive_once(
    context: AppContext, principal: Principal, key: str | None, print_: str, work: Work
) -> tuple[VersionOut, bool]:
    """Do `work` in one unit of work, unless this `Idempotency-Key` was answered before: then give that
    answer again, and do nothing."""
    if key is not None:
        with context.db.reading() as session:
            remembered = recall(session, principal.name, key, print_)
        if remembered is not None:
            return VersionOut.model_validate(remembered.response), remembered.created
    try:
        with context.db.unit_of_work() as session:
            version, created = work(session)
            if key is not None:
                response = version.model_dump(mode="json")
                remember(session, principal.name, key, print_, created=created, response=response)
            return version, created
    except IdempotencyRace:
        assert key is not None
        with context.db.reading() as session:
            remembered = recall(session, principal.name, key, print_)
    assert remembered is not None
    return VersionOut.model_validate(remembered.response), remembered.created


def archive_upload(
    context: AppContext,
    principal: Principal,
    key: str | None,
    print_: str,
    *,
    form: ReceivedForm,
    metadata: SuppliedMetadata,
    document_id: str | None,
) -> tuple[VersionOut, bool]:
    """Archive a received upload (a new document, or a version of `document_id`), once per key."""
    upload = form.file
    assert upload is not None

    def archive(session: Session) -> tuple[VersionOut, bool]:
        result = ingest_document(
            session,
            context.store,
            upload,
            media_type=form.media_type,
            filename=form.filename,
            metadata=metadata,
            actor=principal.name,
            extractor=context.extractor,
            document_id=document_id,
        )
        return VersionOut.of(result.version), result.created

    return archive_once(context, principal, key, print_, archive)
