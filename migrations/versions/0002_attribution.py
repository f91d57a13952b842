"""Attribution: agents, credits, photos, update notices, and each version's text and evidence.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.db.models import (
    AGENT_KIND_VALUES,
    CREDIT_ROLE_VALUES,
    NOTICE_KIND_VALUES,
    SOURCE_VALUES,
    BigId,
    UTCDateTime,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _evidence_columns() -> list[sa.Column[int] | sa.Column[str]]:
    return [
        sa.Column("rule", sa.String(100), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("normalized_name", sa.String(300), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN ({AGENT_KIND_VALUES})", name="kind_known"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("normalized_name", "kind", name="uq_agents_normalized_name_kind"),
    )
    op.create_index(op.f("ix_agents_normalized_name"), "agents", ["normalized_name"])

    op.create_table(
        "notices",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("version_id", BigId, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("date", UTCDateTime(), nullable=True),
        *_evidence_columns(),
        sa.CheckConstraint(f"kind IN ({NOTICE_KIND_VALUES})", name="kind_known"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name=op.f("fk_notices_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index(op.f("ix_notices_version_id"), "notices", ["version_id"])

    op.create_table(
        "photos",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("version_id", BigId, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("credit_line", sa.Text(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        *_evidence_columns(),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.CheckConstraint(f"source IN ({SOURCE_VALUES})", name="source_known"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name=op.f("fk_photos_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    op.create_index(op.f("ix_photos_version_id"), "photos", ["version_id"])

    op.create_table(
        "credits",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("version_id", BigId, nullable=False),
        sa.Column("agent_id", BigId, nullable=False),
        sa.Column("photo_id", BigId, nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        *_evidence_columns(),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.CheckConstraint(f"role IN ({CREDIT_ROLE_VALUES})", name="role_known"),
        sa.CheckConstraint(f"source IN ({SOURCE_VALUES})", name="source_known"),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_credits_agent_id_agents")),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], name=op.f("fk_credits_photo_id_photos")),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name=op.f("fk_credits_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credits")),
    )
    op.create_index(op.f("ix_credits_agent_id"), "credits", ["agent_id"])
    op.create_index(op.f("ix_credits_photo_id"), "credits", ["photo_id"])
    op.create_index(op.f("ix_credits_version_id"), "credits", ["version_id"])

    # Versions archived before this revision get empty evidence, not nulls.
    with op.batch_alter_table("versions") as batch_op:
        batch_op.add_column(sa.Column("modified_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("supplied", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("field_evidence", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("alternatives", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("extraction_problems", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch_op:
        for column in ("extraction_problems", "alternatives", "field_evidence", "text", "supplied"):
            batch_op.drop_column(column)
        batch_op.drop_column("modified_at")
    for table in ("credits", "photos", "notices"):
        op.drop_index(op.f(f"ix_{table}_version_id"), table_name=table)
    op.drop_index(op.f("ix_credits_photo_id"), table_name="credits")
    op.drop_index(op.f("ix_credits_agent_id"), table_name="credits")
    op.drop_table("credits")
    op.drop_table("photos")
    op.drop_table("notices")
    op.drop_index(op.f("ix_agents_normalized_name"), table_name="agents")
    op.drop_table("agents")
