"""Reading documents, versions and their bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from archive.db.models import Agent, Blob, Credit, Document, Version
from archive.errors import BlobNotFound, DocumentNotFound, NotFound, PreviewNotFound, VersionNotFound
from archive.extract.preview import PREVIEW_MEDIA_TYPE
from archive.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DocumentView:
    document: Document
    latest: Version | None


@dataclass(frozen=True)
class BlobInfo:
    """What a content response needs to describe the bytes before sending them."""

    blake3: str
    sha256: str
    size: int
    media_type: str
    filename: str | None
    fixity_status: str | None = None

    @classmethod
    def of_version(cls, version: Version) -> BlobInfo:
        blob = version.blob
        return cls(
            blob.blake3, blob.sha256, blob.size, version.media_type, version.filename, blob.fixity_status
        )

    @classmethod
    def of_blob(cls, blob: Blob) -> BlobInfo:
        return cls(blob.blake3, blob.sha256, blob.size, blob.media_type, None, blob.fixity_status)


def get_document(uow: UnitOfWork, document_id: str) -> DocumentView:
    document = uow.documents.get(document_id)
    if document is None:
        raise DocumentNotFound(document_id)
    return DocumentView(document=document, latest=uow.documents.latest_version(document))


def list_versions(uow: UnitOfWork, document_id: str) -> Sequence[Version]:
    if uow.documents.get(document_id) is None:
        raise DocumentNotFound(document_id)
    return uow.documents.versions(document_id)


def get_version(uow: UnitOfWork, document_id: str, number: int) -> Version:
    version = uow.documents.version(document_id, number)
    if version is None:
        if uow.documents.get(document_id) is None:
            raise DocumentNotFound(document_id)
        raise VersionNotFound(document_id, number)
    return version


def get_preview(uow: UnitOfWork, document_id: str, number: int) -> BlobInfo:
    """The preview of a version (a derived blob), described for a content response."""
    preview = get_version(uow, document_id, number).preview
    if preview is None:
        raise PreviewNotFound(document_id, number)
    # Served as the JPEG the archive made, whatever type the first upload of the same bytes claimed.
    return BlobInfo(
        preview.blake3, preview.sha256, preview.size, PREVIEW_MEDIA_TYPE, None, preview.fixity_status
    )


def get_latest_version(uow: UnitOfWork, document_id: str) -> Version:
    latest = uow.documents.latest_version_of(document_id)
    if latest is None:
        get_document(uow, document_id)  # DocumentNotFound when there is no such document
        raise VersionNotFound(document_id, 1)
    return latest


def get_version_text(uow: UnitOfWork, document_id: str, number: int) -> str:
    version = get_version(uow, document_id, number)
    text = uow.documents.version_text(version.id)
    if text is None:
        raise NotFound(
            f"version {number} of document {document_id} has no text "
            f"(its media type {version.media_type} is not read for text)",
            document_id=document_id,
            version=number,
        )
    return text


@dataclass(frozen=True)
class DocumentPage:
    documents: list[DocumentView]
    next_cursor: str | None


def search_documents(
    uow: UnitOfWork,
    *,
    credit: str | None = None,
    role: str | None = None,
    q: str | None = None,
    text: str | None = None,
    source_url: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
    visible: ColumnElement[bool] | None = None,
    text_of: ColumnElement[bool] | None = None,
) -> DocumentPage:
    """Documents newest first, a page at a time; `cursor` is the last id of the previous page. `visible`:
    the documents the caller may see; `text_of`: the versions whose text the caller may search."""
    found = uow.documents.search(
        credit=credit,
        role=role,
        q=q,
        words=text,
        source_url=source_url,
        after=cursor,
        limit=limit + 1,
        visible=visible,
        text_of=text_of,
    )
    page = [DocumentView(document, uow.documents.latest_version(document)) for document in found[:limit]]
    next_cursor = page[-1].document.id if len(found) > limit else None
    return DocumentPage(documents=page, next_cursor=next_cursor)


@dataclass(frozen=True)
class AgentView:
    agent: Agent
    credits: Sequence[tuple[Credit, Version]]


def get_agent(uow: UnitOfWork, agent_id: int, limit: int = 500) -> AgentView:
    agent = uow.attribution.agent(agent_id)
    if agent is None:
        raise NotFound(f"no agent with id {agent_id}", agent_id=agent_id)
    return AgentView(agent=agent, credits=uow.attribution.agent_credits(agent_id, limit))


def get_blob_info(uow: UnitOfWork, blake3: str) -> BlobInfo:
    blob = uow.blobs.get(blake3)
    if blob is None:
        raise BlobNotFound(blake3)
    return BlobInfo.of_blob(blob)
