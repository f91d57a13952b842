"""The project's one exception tree.

ArchiveError
├── NotFound
│   ├── DocumentNotFound
│   ├── VersionNotFound
│   ├── PreviewNotFound
│   ├── BlobNotFound
│   ├── KeyNotFound
│   ├── CaptureNotFound
│   └── WatchNotFound
├── Gone
│   ├── Withdrawn
│   └── Purged
├── InvalidInput
│   ├── EmptyUpload
│   ├── UploadTooLarge
│   ├── UnsupportedMediaType
│   ├── InvalidMetadata
│   ├── InvalidDatetime
│   ├── UnsatisfiableRange
│   ├── IdempotencyKeyReused        (archive.services.idempotency)
│   ├── CaptureRefused
│   ├── WatchIntervalTooShort
│   ├── InvalidProof                (archive.ledger.errors)
│   ├── InvalidTreeRequest          (archive.ledger.errors)
│   ├── InvalidNote                 (archive.ledger.errors)
│   ├── InvalidKey                  (archive.ledger.errors)
│   ├── InvalidCheckpoint           (archive.ledger.errors)
│   ├── InvalidEntry                (archive.ledger.errors)
│   ├── InvalidTimestamp            (archive.ledger.errors)
│   └── InvalidPackage              (archive.services.ocfl_import)
├── AuthError
│   ├── Unauthenticated
│   ├── Forbidden
│   └── RequestForged
├── Conflict
│   ├── KeyNameTaken
│   ├── IdempotencyRace             (archive.services.idempotency)
│   ├── KeyAlreadyUsed              (archive.services.key_rotation)
│   ├── DocumentExists              (archive.services.ocfl_import)
│   └── DocumentHeld
├── StorageError
│   ├── StorageUnavailable
│   │   └── StorageFull
│   ├── StoredBlobMismatch
│   └── StoredBlobCorrupt
├── LedgerStorageError              (archive.ledger.errors)
│   ├── MissingNodes                (archive.ledger.errors)
│   └── NodeConflict                (archive.ledger.errors)
├── LogForked                       (archive.services.log)
├── AttestorUnavailable             (archive.attestors.errors)
├── AttestationRefused              (archive.attestors.errors)
├── WitnessConflict                 (archive.attestors.errors)
├── FetchFailed
├── ExportFailed                    (archive.services.export)
├── ExportUnwritable                (archive.services.export)
├── DatabaseUnavailable
├── DatabaseNotMigrated
├── SigningKeyUnavailable
├── SigningKeysInconsistent         (archive.services.signing_keys)
└── ConfigurationError

A class without a module beside it is defined here; the others live in the module named, beside the code
that raises them. `tests/unit/test_error_tree.py` holds this drawing to the classes that exist: every
subclass of `ArchiveError` in the package, each drawn once, under its real parent.

Every error carries structured fields; the API maps each class to one HTTP status in one handler
(`archive.api.problems`) and the CLI prints its message. Nothing here knows about HTTP.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Self


class ArchiveError(Exception):
    """Base of every error the project raises on purpose."""

    title = "Archive error"

    def __init__(self, detail: str, **fields: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields


class NotFound(ArchiveError):
    title = "Not found"


class DocumentNotFound(NotFound):
    title = "Document not found"

    def __init__(self, document_id: str) -> None:
        super().__init__(f"no document with id {document_id}", document_id=document_id)


class VersionNotFound(NotFound):
    title = "Version not found"

    def __init__(self, document_id: str, version: int) -> None:
        super().__init__(
            f"document {document_id} has no version {version}",
            document_id=document_id,
            version=version,
        )


class PreviewNotFound(NotFound):
    title = "Preview not found"

    def __init__(self, document_id: str, version: int) -> None:
        super().__init__(
            f"version {version} of document {document_id} has no preview",
            document_id=document_id,
            version=version,
        )


class BlobNotFound(NotFound):
    title = "Blob not found"

    def __init__(self, blake3: str) -> None:
        super().__init__(f"no blob with BLAKE3 digest {blake3}", blake3=blake3)


class KeyNotFound(NotFound):
    title = "API key not found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no API key named {name!r}", name=name)


class CaptureNotFound(NotFound):
    title = "Capture not found"

    def __init__(self, capture_id: str) -> None:
        super().__init__(f"no capture with id {capture_id}", capture_id=capture_id)


class WatchNotFound(NotFound):
    title = "Watch not found"

    def __init__(self, watch_id: str) -> None:
        super().__init__(f"no watch with id {watch_id}", watch_id=watch_id)


class Gone(ArchiveError):
    """Bytes the archive holds a record of but does not serve: withdrawn (taken down) or purged."""

    title = "Gone"


class Withdrawn(Gone):
    """A document or version an admin withdrew: its record stays, its bytes are served to admins only."""

    title = "Withdrawn"

    def __init__(self, document_id: str, version: int | None, reason: str, withdrawn_at: datetime) -> None:
        what = f"document {document_id}" if version is None else f"version {version} of {document_id}"
        super().__init__(
            f"{what} was withdrawn on {withdrawn_at.isoformat()}: {reason}",
            document_id=document_id,
            version=version,
            reason=reason,
            withdrawn_at=withdrawn_at.isoformat(),
        )


class Purged(Gone):
    """Bytes removed from storage for good (a purge): only their digests and the purge's record remain."""

    title = "Purged"

    def __init__(self, detail: str, *, reason: str, purged_at: datetime, **fields: Any) -> None:
        super().__init__(detail, reason=reason, purged_at=purged_at.isoformat(), **fields)


class InvalidInput(ArchiveError):
    title = "Invalid input"

    @classmethod
    def from_field_errors(cls, what: str, errors: Iterable[Mapping[str, Any]], default_field: str) -> Self:
        """From validation errors shaped as pydantic's (`loc`, `msg`): every field listed."""
        problems = field_errors(errors, default_field)
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return cls(f"invalid {what}: {summary}", errors=problems)


class EmptyUpload(InvalidInput):
    title = "Empty upload"

    def __init__(self) -> None:
        super().__init__("the uploaded file is empty: an archived document must have content")


class UploadTooLarge(InvalidInput):
    title = "Upload too large"

    def __init__(self, limit: int, what: str = "the upload") -> None:
        super().__init__(f"{what} exceeds the limit of {limit} bytes", limit=limit)


class UnsupportedMediaType(InvalidInput):
    title = "Unsupported media type"


class InvalidMetadata(InvalidInput):
    title = "Invalid metadata"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail, errors=errors or [])


class InvalidDatetime(InvalidInput):
    title = "Invalid datetime"


class UnsatisfiableRange(InvalidInput):
    title = "Range not satisfiable"

    def __init__(self, size: int) -> None:
        super().__init__(f"the requested range lies outside the {size} bytes", size=size)


class CaptureRefused(InvalidInput):
    """A URL the archive will not fetch: not http(s), or naming (or resolving to, or redirected to) an
    address of the network the archive runs in. The reason is a sentence for the archivist."""

    title = "URL refused"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the archive will not fetch {url!r}: {reason}", url=url, reason=reason)


class WatchIntervalTooShort(InvalidInput):
    title = "Watch interval too short"

    def __init__(self, asked: int, minimum: int) -> None:
        super().__init__(
            f"a watch looks at its page at most every {minimum} seconds; {asked} was asked",
            interval_seconds=asked,
            minimum=minimum,
        )


class AuthError(ArchiveError):
    title = "Not authorised"


class Unauthenticated(AuthError):
    title = "Unauthenticated"


class Forbidden(AuthError):
    title = "Forbidden"

    def __init__(self, needed: str, held: str) -> None:
        super().__init__(
            f"this needs the {needed} role; the key presented has the {held} role",
            needed=needed,
            held=held,
        )


class RequestForged(AuthError):
    """A form post without the visitor's CSRF token, or from another origin."""

    title = "Cross-site request refused"


class Conflict(ArchiveError):
    title = "Conflict"


class KeyNameTaken(Conflict):
    title = "Key name taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"an API key named {name!r} already exists", name=name)


class DocumentHeld(Conflict):
    title = "Document under legal hold"

    def __init__(self, document_id: str, since: datetime, reason: str) -> None:
        super().__init__(
            f"document {document_id} is under a legal hold since {since.isoformat()} ({reason}): "
            "release the hold before purging it",
            document_id=document_id,
            held_since=since.isoformat(),
            hold_reason=reason,
        )


class StorageError(ArchiveError):
    title = "Storage error"


class StorageUnavailable(StorageError):
    title = "Storage unavailable"


class StorageFull(StorageUnavailable):
    """The disk or quota holding blobs or spooled uploads is full (ENOSPC, EDQUOT)."""

    title = "Insufficient storage"


def storage_failure(what: str, exc: OSError) -> StorageUnavailable:
    """An operating-system failure of storage as the error to raise: `StorageFull` for a full disk or
    quota, `StorageUnavailable` for the rest (a folder missing, read-only, not a folder, not ours)."""
    kind = StorageFull if exc.errno in (errno.ENOSPC, errno.EDQUOT) else StorageUnavailable
    return kind(f"{what}: {exc.strerror or exc}", errno=errno.errorcode.get(exc.errno or 0))


class StoredBlobMismatch(StorageError):
    title = "Stored blob does not match"

    def __init__(self, blake3: str, expected_size: int, found_size: int) -> None:
        super().__init__(
            f"storage holds {found_size} bytes under {blake3}, expected {expected_size}",
            blake3=blake3,
            expected_size=expected_size,
            found_size=found_size,
        )


class StoredBlobCorrupt(StorageError):
    """The stored bytes no longer match their digests (or are gone): they are not served as good."""

    title = "Stored blob failed its fixity check"

    def __init__(self, blake3: str, status: str | None, **found: Any) -> None:
        super().__init__(
            f"the stored bytes of blob {blake3} are {status}: they are not served; restore the blob "
            "from a copy (an auditor sees the failure in the log and in /v1/verify)",
            blake3=blake3,
            fixity_status=status,
            **found,
        )


class FetchFailed(ArchiveError):
    """A page could not be fetched (no answer, too slow, too large, a redirect loop …): the capture fails
    with this sentence. `retry_after` is set when the publisher asked to be asked again later."""

    title = "Fetch failed"

    def __init__(
        self, detail: str, *, retry_after: float | None = None, http_status: int | None = None
    ) -> None:
        super().__init__(detail, retry_after=retry_after, http_status=http_status)
        self.retry_after = retry_after
        self.http_status = http_status


class DatabaseUnavailable(ArchiveError):
    title = "Database unavailable"


class DatabaseNotMigrated(ArchiveError):
    title = "Database not migrated"

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"the database is at revision {current or 'none'} but this code needs {head}: "
            "run `archive db upgrade` first",
            current=current,
            head=head,
        )


class SigningKeyUnavailable(ArchiveError):
    """The log's key was rotated and this process cannot read the key that now signs: it signs nothing
    rather than sign with a retired key."""

    title = "Signing key unavailable"


class ConfigurationError(ArchiveError):
    title = "Configuration error"


def field_errors(errors: Iterable[Mapping[str, Any]], default_field: str) -> list[dict[str, str]]:
    """Validation errors (pydantic's `loc` and `msg`) as `{"field", "message"}` pairs."""
    return [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())) or default_field,
            "message": str(error.get("msg", "")),
        }
        for error in errors
    ]
