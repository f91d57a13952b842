"""An upload's rows are written as Core statements and handed to the session as loaded rows: what the
transaction reads back through the ORM is those very objects, and what was stored is what they hold."""

from __future__ import annotations

import io

from sqlalchemy import select

from archive.db.models import Credit, Notice, Photo, Version
from archive.digests import spool_stream
from archive.services.ingest import Upload, prepare_upload, record_upload
from archive.services.metadata import SuppliedMetadata
from tests.conftest import Deployment

PAGE = b"""<html><head><title>Harbour report</title></head><body><article>
<h1>Harbour report</h1><p class="byline">By Ada Lovelace and Grace Hopper</p>
<p>Updated: March 3, 2024</p>
<figure><img src="a.jpg"><figcaption>The quay. Photo: Mary Anning</figcaption></figure>
<p>The harbour froze over in the night, and the boats stayed in.</p></article></body></html>"""

CREDITS = [
    {"name": name, "role": role}
    for name, role in [("Zoe Zed", "author"), ("Ada Lovelace", "author"), ("Bo Bee", "editor")]
]


def test_rows_written_are_the_session_s_rows_and_hold_their_ids(deployment: Deployment) -> None:
    uow = deployment.uow()
    metadata = SuppliedMetadata.model_validate({"credits": CREDITS, "title": "Harbour"})
    upload = Upload(spool_stream(io.BytesIO(PAGE), uow.spool_dir), "text/html", "a.html", metadata, "tester")
    extraction = prepare_upload(uow, upload)
    with uow.writing():
        version = record_upload(uow, upload, extraction).version
        session = uow.session
        assert session.scalars(select(Version).where(Version.id == version.id)).one() is version
        assert version.log_index is not None
        credits = list(version.credits)
        assert len(credits) >= len(CREDITS)
        for credit in credits:
            assert session.get(Credit, credit.id) is credit
        for photo in version.photos:
            assert session.get(Photo, photo.id) is photo
        for notice in version.notices:
            assert session.get(Notice, notice.id) is notice
    with uow.reading():
        stored = uow.session.execute(
            select(Credit.id, Credit.position, Credit.name, Credit.photo_id)
            .where(Credit.version_id == version.id)
            .order_by(Credit.position)
        ).all()
        photos = uow.session.execute(
            select(Photo.id, Photo.position).where(Photo.version_id == version.id)
        ).all()
        stored_version = uow.session.scalars(select(Version).where(Version.id == version.id)).one()
        assert stored_version.log_index == version.log_index
        assert stored_version.title == version.title == "Harbour"
    assert [(c.id, c.position, c.name, c.photo_id) for c in credits] == [tuple(row) for row in stored]
    assert sorted((p.id, p.position) for p in version.photos) == sorted(tuple(row) for row in photos)
    assert len({c.id for c in credits}) == len(credits)
