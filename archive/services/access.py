"""The one place that decides whether a caller may see a document, a version's bytes or a blob, and if not,
what they are told.

- A document that is restricted (and the caller's key holds no grant) or embargoed (until a time not yet
  come) is hidden from every caller below admin: it is not found (404), exactly as if it did not exist, on
  every route, and left out of lists, searches, TimeMaps and exports.
- The bytes of a withdrawn document or version are gone (410, with the withdrawal's reason and date) for
  every caller below admin; their metadata, history and receipts stay visible and verifiable.
- Purged bytes are gone (410, with the purge's reason and date) for everyone, admins too: they no longer
  exist.

Every route that serves a document, a version or a blob asks here first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement

from archive.db.capture_models import Capture
from archive.db.governance_models import DocumentPolicy, Purge, Withdrawal
from archive.db.models import Version
from archive.db.repositories.governance import unwithdrawn_versions, visible_documents
from archive.errors import (
    BlobNotFound,
    CaptureNotFound,
    Conflict,
    DocumentNotFound,
    Purged,
    Withdrawn,
)
from archive.roles import Role
from archive.services import documents
from archive.services.captures import get_capture, warc_of
from archive.services.documents import BlobInfo, DocumentView
from archive.services.history import (
    Memento,
    TimeMap,
    VersionDiff,
    diff_versions,
    time_map,
    timemap_and_memento,
)
from archive.services.keys import ANONYMOUS_READER, Principal
from archive.services.search import SearchPage, SearchRequest, search
from archive.services.unit_of_work import SqlUnitOfWork

# Whoever runs the command line on the archive's own machine: an admin.
OPERATOR = Principal(name="command line", role=Role.ADMIN)


# Anyone below admin, as far as withdrawals go (for saying why bytes are withheld, whoever asks).
_BELOW_ADMIN = Principal(name="", role=Role.READER)


def sees_everything(viewer: Principal) -> bool:
    """Admins see every document and the bytes of withdrawn ones (never purged bytes: there are none)."""
    return viewer.role is Role.ADMIN


def may_see(policy: DocumentPolicy | None, viewer: Principal, granted: bool, now: datetime) -> bool:
    """Whether a document under `policy` is visible to `viewer` (`granted`: the viewer's key holds a grant
    for it) at `now`."""
    if policy is None or sees_everything(viewer):
        return True
    if policy.embargoed_until is not None and policy.embargoed_until > now:
        return False
    return not policy.restricted or granted


def is_visible(uow: SqlUnitOfWork, viewer: Principal, document_id: str) -> bool:
    policy = uow.governance.policy(document_id)
    if policy is None or sees_everything(viewer):
        return True
    granted = (  # a grant is to a key: never to the anonymous reader of a public archive
        policy.restricted
        and viewer != ANONYMOUS_READER
        and uow.governance.grant(document_id, viewer.name) is not None
    )
    return may_see(policy, viewer, granted, datetime.now(UTC))


def require_visible(uow: SqlUnitOfWork, viewer: Principal, document_id: str) -> None:
    """`DocumentNotFound` when the document is hidden from `viewer` (or does not exist: the same answer)."""
    if not is_visible(uow, viewer, document_id):
        raise DocumentNotFound(document_id)


def visible_condition(viewer: Principal) -> ColumnElement[bool] | None:
    """The condition on documents that list and search queries add for `viewer` (None: no condition)."""
    if sees_everything(viewer):
        return None
    key_name = None if viewer == ANONYMOUS_READER else viewer.name
    return visible_documents(key_name, datetime.now(UTC))


@dataclass(frozen=True)
class Withheld:
    """Why a version's bytes are not served: its withdrawal or its purge."""

    withdrawal: Withdrawal | None = None
    purge: Purge | None = None

    def error(self, document_id: str, number: int) -> Withdrawn | Purged:
        if self.purge is not None:
            return purged(self.purge)
        assert self.withdrawal is not None
        w = self.withdrawal
        return Withdrawn(document_id, w.version, w.reason, w.withdrawn_at)


def purged(purge: Purge) -> Purged:
    what = (
        f"document {purge.document_id}"
        if purge.version is None
        else (f"version {purge.version} of {purge.document_id}")
    )
    return Purged(
        f"the bytes of {what} were purged on {purge.purged_at.isoformat()}: {purge.reason}",
        reason=purge.reason,
        purged_at=purge.purged_at,
        document_id=purge.document_id,
        version=purge.version,
    )


class DocumentStanding:
    """What withholds the bytes of one document's versions (its withdrawals and purges in force)."""

    def __init__(self, withdrawals: Sequence[Withdrawal], purges: Sequence[Purge]) -> None:
        self.withdrawals = withdrawals
        self.purges = purges

    @classmethod
    def of(cls, uow: SqlUnitOfWork, document_id: str) -> DocumentStanding:
        return cls(uow.governance.withdrawals(document_id), uow.governance.purges(document_id))

    def withheld(self, number: int, viewer: Principal) -> Withheld | None:
        """Why version `number`'s bytes are not served to `viewer`, or None when they are."""
        purge = next((p for p in self.purges if p.version in (None, number)), None)
        if purge is not None:
            return Withheld(purge=purge)
        if sees_everything(viewer):
            return None
        withdrawal = next((w for w in self.withdrawals if w.version in (None, number)), None)
        return None if withdrawal is None else Withheld(withdrawal=withdrawal)

    def reason(self, number: int) -> Withheld | None:
        """Why version `number`'s bytes are withheld from those below admin (None: they are served)."""
        return self.withheld(number, _BELOW_ADMIN)

    def first_withheld(self, numbers: Sequence[int], viewer: Principal) -> Withheld | None:
        return next((w for n in numbers if (w := self.withheld(n, viewer)) is not None), None)


def require_served(uow: SqlUnitOfWork, viewer: Principal, version: Version) -> None:
    """Raise unless `viewer` may have the bytes of `version` (and everything made from them: its text, its
    preview, a diff of it): hidden document 404, withdrawn 410 below admin, purged 410 for everyone."""
    require_visible(uow, viewer, version.document_id)
    withheld = DocumentStanding.of(uow, version.document_id).withheld(version.number, viewer)
    if withheld is not None:
        raise withheld.error(version.document_id, version.number)


def require_whole_document(
    uow: SqlUnitOfWork, viewer: Principal, document_id: str, numbers: Sequence[int]
) -> None:
    """Raise unless `viewer` may have the bytes of every listed version (an export holds them all)."""
    require_visible(uow, viewer, document_id)
    withheld = DocumentStanding.of(uow, document_id).first_withheld(numbers, viewer)
    if withheld is not None:
        raise withheld.error(document_id, 0)


def require_blob_served(uow: SqlUnitOfWork, viewer: Principal, blake3: str) -> None:
    """Raise unless `viewer` may have the blob: purged, 410 for everyone; used only by versions hidden from
    the viewer, not found; used only by versions withdrawn (for the viewer), 410. A version uses a blob as
    its bytes, its preview or the WARC of the capture that made it; a blob no version uses (the WARC of a
    capture that made none) is served."""
    purge = uow.governance.purge_of_blob(blake3)
    if purge is not None:
        raise purged(purge)
    holders = uow.governance.holders(blake3)
    if not holders or sees_everything(viewer):
        return
    reasons: list[Withheld] = []
    for document_id in dict.fromkeys(d for d, _ in holders):
        if not is_visible(uow, viewer, document_id):
            continue
        numbers = [n for d, n in holders if d == document_id]
        standing = DocumentStanding.of(uow, document_id)
        withheld = [standing.withheld(n, viewer) for n in numbers]
        if any(w is None for w in withheld):
            return  # a version the viewer may have holds these bytes
        reasons.extend(w for w in withheld if w is not None)
    if not reasons:
        raise BlobNotFound(blake3)
    raise reasons[0].error(*holders[0])


def withheld_versions(uow: SqlUnitOfWork, viewer: Principal, version_ids: Sequence[int]) -> set[int]:
    """Of these versions, those a search shows `viewer` nothing of: purged ones, and below admin those of
    hidden documents and withdrawn ones."""
    return uow.governance.withheld_version_ids(version_ids, visible_condition(viewer))


# What the serving routes call: each use case of `archive.services.documents` and `.history`, asked as a
# viewer.


def document_for(uow: SqlUnitOfWork, viewer: Principal, document_id: str) -> DocumentView:
    """The document's record (with its latest version's metadata), when the viewer may see it."""
    require_visible(uow, viewer, document_id)
    return documents.get_document(uow, document_id)


def versions_for(uow: SqlUnitOfWork, viewer: Principal, document_id: str) -> Sequence[Version]:
    require_visible(uow, viewer, document_id)
    return documents.list_versions(uow, document_id)


def version_for(uow: SqlUnitOfWork, viewer: Principal, document_id: str, number: int) -> Version:
    """A version's record (metadata and receipt, kept visible when its bytes are withdrawn)."""
    require_visible(uow, viewer, document_id)
    return documents.get_version(uow, document_id, number)


def served_version(uow: SqlUnitOfWork, viewer: Principal, document_id: str, number: int) -> Version:
    """A version whose bytes (or text, preview, diff) the viewer may have."""
    version = version_for(uow, viewer, document_id, number)
    require_served(uow, viewer, version)
    return version


def served_latest(uow: SqlUnitOfWork, viewer: Principal, document_id: str) -> Version:
    require_visible(uow, viewer, document_id)
    version = documents.get_latest_version(uow, document_id)
    require_served(uow, viewer, version)
    return version


def served_blob(uow: SqlUnitOfWork, viewer: Principal, blake3: str) -> BlobInfo:
    info = documents.get_blob_info(uow, blake3)
    require_blob_served(uow, viewer, blake3)
    return info


def served_text(uow: SqlUnitOfWork, viewer: Principal, document_id: str, number: int) -> str:
    served_version(uow, viewer, document_id, number)
    return documents.get_version_text(uow, document_id, number)


def served_preview(uow: SqlUnitOfWork, viewer: Principal, document_id: str, number: int) -> BlobInfo:
    served_version(uow, viewer, document_id, number)
    return documents.get_preview(uow, document_id, number)


def served_diff(
    uow: SqlUnitOfWork, viewer: Principal, document_id: str, first: int, second: int
) -> VersionDiff:
    for number in (first, second):
        served_version(uow, viewer, document_id, number)
    return diff_versions(uow, document_id, first, second)


def listed_documents(uow: SqlUnitOfWork, viewer: Principal, **filters: Any) -> documents.DocumentPage:
    """A page of the document list, leaving out what is hidden from the viewer; words of the text (`text`)
    match only versions whose bytes the viewer may have, so a withdrawn text is not searched either."""
    text_of = None if sees_everything(viewer) else unwithdrawn_versions()
    return documents.search_documents(uow, **filters, visible=visible_condition(viewer), text_of=text_of)


def agent_for(uow: SqlUnitOfWork, viewer: Principal, agent_id: int) -> documents.AgentView:
    """An agent and its credits in the documents the viewer may see."""
    view = documents.get_agent(uow, agent_id)
    seen: dict[str, bool] = {}
    credits = [
        (credit, version)
        for credit, version in view.credits
        if seen.setdefault(version.document_id, is_visible(uow, viewer, version.document_id))
    ]
    return documents.AgentView(view.agent, credits)


def served_time_map(
    uow: SqlUnitOfWork, viewer: Principal, *, document_id: str | None = None, original: str | None = None
) -> TimeMap:
    """The document's mementos the viewer may have: a hidden document is not found; withdrawn (and purged)
    versions are left out, and when none is left, the first reason is the answer (410)."""
    timemap = time_map(uow, document_id=document_id, original=original)
    if not is_visible(uow, viewer, timemap.document.id):  # as if there were none: its id is not told
        raise DocumentNotFound(document_id or original or "")
    standing = DocumentStanding.of(uow, timemap.document.id)
    served = [m for m in timemap.mementos if standing.withheld(m.number, viewer) is None]
    if timemap.mementos and not served:
        withheld = standing.first_withheld([m.number for m in timemap.mementos], viewer)
        assert withheld is not None
        raise withheld.error(timemap.document.id, timemap.mementos[0].number)
    return TimeMap(timemap.document, served)


def served_version_at(
    uow: SqlUnitOfWork,
    viewer: Principal,
    when: datetime | None,
    *,
    document_id: str | None = None,
    original: str | None = None,
) -> tuple[TimeMap, Memento]:
    """The memento the viewer may have that stood at `when` (as `version_at`, over `served_time_map`)."""
    return timemap_and_memento(served_time_map(uow, viewer, document_id=document_id, original=original), when)


def require_exportable(uow: SqlUnitOfWork, viewer: Principal, document_id: str) -> None:
    """An export holds every version's bytes: refused (410) when any is withheld from the viewer."""
    numbers = [v.number for v in versions_for(uow, viewer, document_id)]
    require_whole_document(uow, viewer, document_id, numbers)


def search_for(
    uow: SqlUnitOfWork, viewer: Principal, request: SearchRequest, *, candidates: int
) -> SearchPage:
    """A search that shows the viewer nothing of what is withheld from them (`withheld_versions`)."""
    return search(
        uow, request, candidates=candidates, withheld=lambda ids: withheld_versions(uow, viewer, ids)
    )


def capture_for(uow: SqlUnitOfWork, viewer: Principal, capture_id: str) -> Capture:
    """A capture's record, unless the document it added a version to is hidden from the viewer."""
    capture = get_capture(uow, capture_id)
    if capture.document_id is not None and not is_visible(uow, viewer, capture.document_id):
        raise CaptureNotFound(capture_id)
    return capture


def served_warc(uow: SqlUnitOfWork, viewer: Principal, capture_id: str) -> BlobInfo:
    """A capture's WARC (it holds the page's bytes): withheld as the version it made is."""
    capture = capture_for(uow, viewer, capture_id)
    info = documents.get_blob_info(uow, warc_of(uow, capture_id))
    if capture.document_id is not None and capture.version is not None:
        served_version(uow, viewer, capture.document_id, capture.version)
    return info


def require_source_visible(uow: SqlUnitOfWork, viewer: Principal, source_url: str | None) -> None:
    """An upload naming the original URL of a document hidden from the uploader would add a version to it
    (or answer with its latest): refused (409), saying only that the URL is taken."""
    if source_url is None:
        return
    found = uow.documents.by_source_url(source_url)
    if found is not None and not is_visible(uow, viewer, found.id):
        raise Conflict("a document you may not see has this source_url: ask an admin", source_url=source_url)


def require_latest_bytes(uow: SqlUnitOfWork, document_id: str) -> None:
    """Raise `Purged` when the document's latest bytes were purged: a correction reusing them would make a
    version of bytes that no longer exist."""
    latest = uow.documents.latest_version_of(document_id)
    if latest is not None:
        withheld = DocumentStanding.of(uow, document_id).withheld(latest.number, OPERATOR)
        if withheld is not None:
            raise withheld.error(document_id, latest.number)
