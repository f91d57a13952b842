"""Withdrawals, purges and their tombstones, legal holds, restriction, embargo and grants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from archive.db.capture_models import Capture
from archive.db.governance_models import AccessGrant, DocumentPolicy, Purge, PurgedBlob, Withdrawal
from archive.db.models import Document, Version
from archive.db.repositories.base import SqlRepository


class SqlGovernanceRepository(SqlRepository):
    def add(self, row: Withdrawal | Purge | PurgedBlob | DocumentPolicy | AccessGrant) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, row: AccessGrant) -> None:
        self.session.delete(row)
        self.session.flush()

    def flush(self) -> None:
        self.session.flush()

    def withdrawals(self, document_id: str) -> Sequence[Withdrawal]:
        """The document's withdrawals in force (not reversed), oldest first."""
        return self.session.scalars(
            select(Withdrawal)
            .where(Withdrawal.document_id == document_id, Withdrawal.reversed_at.is_(None))
            .order_by(Withdrawal.id)
        ).all()

    def all_withdrawals(self, document_id: str) -> Sequence[Withdrawal]:
        """Every withdrawal of the document, reversed or not, oldest first."""
        return self.session.scalars(
            select(Withdrawal).where(Withdrawal.document_id == document_id).order_by(Withdrawal.id)
        ).all()

    def withdrawal(self, withdrawal_id: int) -> Withdrawal | None:
        return self.session.get(Withdrawal, withdrawal_id)

    def purges(self, document_id: str) -> Sequence[Purge]:
        return self.session.scalars(
            select(Purge).where(Purge.document_id == document_id).order_by(Purge.id)
        ).all()

    def purge_of_blob(self, blake3: str) -> Purge | None:
        """The purge that removed the blob's bytes, when one did."""
        return self.session.scalar(
            select(Purge).join(PurgedBlob, PurgedBlob.purge_id == Purge.id).where(PurgedBlob.blake3 == blake3)
        )

    def purged_blobs(self, blake3s: Sequence[str]) -> set[str]:
        if not blake3s:
            return set()
        return set(self.session.scalars(select(PurgedBlob.blake3).where(PurgedBlob.blake3.in_(blake3s))))

    def purged_count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(PurgedBlob)) or 0)

    def versions_using(self, blake3: str) -> Sequence[Version]:
        """Every version whose bytes or preview are this blob."""
        return self.session.scalars(
            select(Version)
            .where(or_(Version.blob_blake3 == blake3, Version.preview_blake3 == blake3))
            .order_by(Version.document_id, Version.number)
        ).all()

    def holders(self, blake3: str) -> list[tuple[str, int]]:
        """Every (document, version) whose bytes, preview or capture WARC this blob is."""
        held = [(v.document_id, v.number) for v in self.versions_using(blake3)]
        captured = self.session.execute(
            select(Capture.document_id, Capture.version).where(
                Capture.warc_blake3 == blake3, Capture.document_id.is_not(None), Capture.version.is_not(None)
            )
        ).all()
        return list(dict.fromkeys([*held, *((str(d), int(n or 0)) for d, n in captured)]))

    def policy(self, document_id: str) -> DocumentPolicy | None:
        return self.session.get(DocumentPolicy, document_id)

    def policy_to_change(self, document_id: str) -> DocumentPolicy:
        """The document's policy row, made (open, unheld) when it has none, locked for this transaction."""
        found = self.session.scalar(
            select(DocumentPolicy).where(DocumentPolicy.document_id == document_id).with_for_update()
        )
        if found is None:
            found = DocumentPolicy(document_id=document_id, restricted=False)
            self.add(found)
        return found

    def held_documents_using(self, blake3: str) -> Sequence[str]:
        """Documents under a legal hold with a version whose bytes or preview are this blob."""
        return self.session.scalars(
            select(DocumentPolicy.document_id)
            .join(Version, Version.document_id == DocumentPolicy.document_id)
            .where(DocumentPolicy.held_since.is_not(None))
            .where(or_(Version.blob_blake3 == blake3, Version.preview_blake3 == blake3))
            .distinct()
        ).all()

    def grant(self, document_id: str, key_name: str) -> AccessGrant | None:
        return self.session.get(AccessGrant, (document_id, key_name))

    def grants(self, document_id: str) -> Sequence[AccessGrant]:
        return self.session.scalars(
            select(AccessGrant).where(AccessGrant.document_id == document_id).order_by(AccessGrant.key_name)
        ).all()

    def withheld_version_ids(
        self,
        version_ids: Sequence[int],
        visible: ColumnElement[bool] | None,
    ) -> set[int]:
        """Of `version_ids`, those purged and, unless `visible` is None (an admin asks), those of documents
        not `visible` or withdrawn (wholly or that version): what a search shows nothing of."""
        if not version_ids:
            return set()
        withdrawn = exists().where(
            Withdrawal.document_id == Version.document_id,
            Withdrawal.reversed_at.is_(None),
            or_(Withdrawal.version.is_(None), Withdrawal.version == Version.number),
        )
        purged = exists().where(
            Purge.document_id == Version.document_id,
            or_(Purge.version.is_(None), Purge.version == Version.number),
        )
        found = self.session.scalars(
            select(Version.id)
            .join(Document, Document.id == Version.document_id)
            .where(Version.id.in_(version_ids))
            .where(purged if visible is None else or_(~visible, withdrawn, purged))
        )
        return set(found)


def unwithdrawn_versions() -> ColumnElement[bool]:
    """Versions whose bytes no withdrawal in force withholds (of the whole document or of the version), as a
    condition on `Version` for queries that read a version's text for a caller below admin."""
    return ~exists().where(
        Withdrawal.document_id == Version.document_id,
        Withdrawal.reversed_at.is_(None),
        or_(Withdrawal.version.is_(None), Withdrawal.version == Version.number),
    )


def visible_documents(key_name: str | None, now: datetime) -> ColumnElement[bool]:
    """Documents a caller below admin may see, as a condition on `Document.id` for list and search queries:
    no policy, or one neither embargoed past `now` nor restricted, unless the key (`key_name`; None for an
    anonymous reader) holds a grant for the restricted document."""
    policy = DocumentPolicy
    unrestricted: ColumnElement[bool] = policy.restricted.is_(False)
    if key_name is not None:
        granted = exists().where(AccessGrant.document_id == Document.id, AccessGrant.key_name == key_name)
        unrestricted = or_(unrestricted, granted)
    served = and_(or_(policy.embargoed_until.is_(None), policy.embargoed_until <= now), unrestricted)
    return or_(
        ~exists().where(policy.document_id == Document.id),
        exists().where(policy.document_id == Document.id, served),
    )
