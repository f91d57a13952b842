"""Captures by URL, watches and their checks (the durable record of that background work).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(26), sa.ForeignKey("documents.id"), nullable=True),
        sa.Column("next_check_at", UTCDateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("interval_seconds >= 1", name="interval_positive"),
    )
    op.create_index("ix_watches_next_check_at", "watches", ["next_check_at"])
    op.create_table(
        "captures",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("document_id", sa.String(26), sa.ForeignKey("documents.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.String(2048), nullable=True),
        sa.Column("http_status", sa.SmallInteger(), nullable=True),
        sa.Column("warc_blake3", sa.String(64), sa.ForeignKey("blobs.blake3"), nullable=True),
        sa.Column("watch_id", sa.String(26), sa.ForeignKey("watches.id"), nullable=True),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
    )
    op.create_index("ix_captures_status", "captures", ["status"])
    op.create_index("ix_captures_document_id", "captures", ["document_id"])
    op.create_index("ix_captures_watch_id", "captures", ["watch_id"])
    op.create_table(
        "watch_checks",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("watch_id", sa.String(26), sa.ForeignKey("watches.id"), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("capture_id", sa.String(26), sa.ForeignKey("captures.id"), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("outcome IN ('unchanged', 'changed', 'failed')", name="outcome_known"),
    )
    op.create_index("ix_watch_checks_watch_id", "watch_checks", ["watch_id"])


def downgrade() -> None:
    op.drop_index("ix_watch_checks_watch_id", table_name="watch_checks")
    op.drop_table("watch_checks")
    for index in ("ix_captures_watch_id", "ix_captures_document_id", "ix_captures_status"):
        op.drop_index(index, table_name="captures")
    op.drop_table("captures")
    op.drop_index("ix_watches_next_check_at", table_name="watches")
    op.drop_table("watches")
