"""The queries of each feature, one repository a feature, all over the session of one unit of work.

Each repository flushes, never commits: the unit of work (`archive.services.unit_of_work`) that holds them
commits once, at the end of its transaction. `ports` names what the services may ask of each; the SQL
repositories here and the in-memory ones of `archive.db.memory` both answer it.
"""

from archive.db.repositories.attestations import NewAttestation, SqlAttestationRepository
from archive.db.repositories.attribution import SqlAttributionRepository
from archive.db.repositories.audits import SqlAuditRepository
from archive.db.repositories.blobs import BlobFixityRow, FixityCheckRow, SqlBlobRepository
from archive.db.repositories.captures import SqlCaptureRepository
from archive.db.repositories.documents import SqlDocumentRepository
from archive.db.repositories.idempotency import SqlIdempotencyRepository
from archive.db.repositories.keys import SqlKeyRepository
from archive.db.repositories.log import SqlLogRepository
from archive.db.repositories.signing_keys import SqlSigningKeyRepository

__all__ = [
    "BlobFixityRow",
    "FixityCheckRow",
    "NewAttestation",
    "SqlAttestationRepository",
    "SqlAttributionRepository",
    "SqlAuditRepository",
    "SqlBlobRepository",
    "SqlCaptureRepository",
    "SqlDocumentRepository",
    "SqlIdempotencyRepository",
    "SqlKeyRepository",
    "SqlLogRepository",
    "SqlSigningKeyRepository",
]
