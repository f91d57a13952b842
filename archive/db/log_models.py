"""The rows of the verifiable log: its leaves, the hashes of complete subtrees, its head, the checkpoints the
archive signed, and what witnesses and a time-stamping authority vouched for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from archive.db.models import Base, one_of, utcnow


class LogEntry(Base):
    """A leaf of the verifiable log: an event's RFC 8785 canonical JSON, exactly the bytes hashed."""

    __tablename__ = "log_entries"
    __table_args__ = (CheckConstraint("leaf_index >= 0", name="leaf_index_not_negative"),)

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    event_type: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LogNode(Base):
    """The hash of a complete, aligned subtree: leaves [index·2^level, (index+1)·2^level). Never changes."""

    __tablename__ = "log_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogHead(Base):
    """The one row that says how big the log is. Appends lock it, so they are serialised across workers."""

    __tablename__ = "log_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class SignedCheckpoint(Base):
    """A checkpoint the archive signed (C2SP signed note); each is consistent with every earlier one."""

    __tablename__ = "log_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


ATTESTATION_KINDS = ("cosignature", "timestamp")
ATTESTATION_KIND_VALUES = one_of(ATTESTATION_KINDS)


class CheckpointAttestation(Base):
    """What someone other than the archive vouched for a signed checkpoint: a witness's cosignature (its
    signed-note signature line, UTF-8) or a time-stamping authority's RFC 3161 TimeStampToken (DER)."""

    __tablename__ = "checkpoint_attestations"
    __table_args__ = (CheckConstraint(f"kind IN ({ATTESTATION_KIND_VALUES})", name="kind_known"),)

    tree_size: Mapped[int] = mapped_column(
        ForeignKey("log_checkpoints.tree_size"), primary_key=True, autoincrement=False
    )
    attestor: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[bytes] = mapped_column(LargeBinary)
    # The time the attestor states: a cosignature's timestamp, a token's genTime.
    attested_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attestor(Base):
    """A witness or the time-stamping authority, as the log sees it: the newest tree size it attested (for a
    witness, the old size of the next add-checkpoint), how the last attempt went, and until when one worker
    holds the turn to offer it a checkpoint."""

    __tablename__ = "attestors"
    __table_args__ = (
        CheckConstraint(f"kind IN ({ATTESTATION_KIND_VALUES})", name="kind_known"),
        CheckConstraint("attested_size >= 0", name="attested_size_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2048))
    attested_size: Mapped[int] = mapped_column(BigInteger, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None] = mapped_column()


class SigningKey(Base):
    """A key that signs (or signed) the log's checkpoints, and the tree sizes it signs: from `first_size`
    up to `last_size` (null while it still signs). A rotation retires one key at the size of its leaf's
    tree, which the new key signs too; only the public half is kept here."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        CheckConstraint("first_size >= 0", name="first_size_not_negative"),
        CheckConstraint("last_size IS NULL OR last_size >= first_size", name="range_ordered"),
        CheckConstraint("length(key_id) = 8", name="key_id_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vkey: Mapped[str] = mapped_column(String(400), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    key_id: Mapped[str] = mapped_column(String(8))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    first_size: Mapped[int] = mapped_column(BigInteger)
    last_size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column()
    # The leaf that recorded the rotation which retired this key, and why it was retired.
    retired_by_leaf: Mapped[int | None] = mapped_column(BigInteger)
    retired_reason: Mapped[str | None] = mapped_column(Text)
