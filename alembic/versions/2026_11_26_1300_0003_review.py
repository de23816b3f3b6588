"""review decisions and consent, auto-consent, published observables (corroboration)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:47:36.469747
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.db
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auto_consent",
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("breadths", sa.JSON(), nullable=False),
        sa.Column("cross_sector", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_auto_consent_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["account.id"],
            name=op.f("fk_auto_consent_updated_by_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_auto_consent")),
    )
    op.create_table(
        "published_observable",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_published_observable_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_published_observable_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_observable")),
    )
    with op.batch_alter_table("published_observable", schema=None) as batch_op:
        batch_op.create_index(
            "ix_published_observable_key_member", ["key", "member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_published_observable_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "submission_review",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("breadth", sa.String(length=16), nullable=True),
        sa.Column("extra_sectors", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("approved_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("second_by", sa.String(length=36), nullable=True),
        sa.Column("second_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("edits", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("consent", sa.String(length=16), nullable=True),
        sa.Column("consent_cross_sector", sa.Boolean(), nullable=False),
        sa.Column("consent_amber_strict", sa.Boolean(), nullable=False),
        sa.Column("consent_auto", sa.Boolean(), nullable=False),
        sa.Column("consent_by", sa.String(length=36), nullable=True),
        sa.Column("consent_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_to", sa.JSON(), nullable=False),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["account.id"],
            name=op.f("fk_submission_review_approved_by_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consent_by"],
            ["account.id"],
            name=op.f("fk_submission_review_consent_by_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["second_by"],
            ["account.id"],
            name=op.f("fk_submission_review_second_by_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_submission_review_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_submission_review")),
    )


def downgrade() -> None:
    op.drop_table("submission_review")
    with op.batch_alter_table("published_observable", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_observable_submission_id"))
        batch_op.drop_index("ix_published_observable_key_member")

    op.drop_table("published_observable")
    op.drop_table("auto_consent")
