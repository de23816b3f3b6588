"""submission_review.breadth: one of the four sharing breadths, enforced by the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:40:00

Stored as a string with a CHECK constraint, like the hub's other enums (adding a breadth is
a reviewed migration). The hub has only ever written these four values.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of hub.sharing.Breadth's values.
BREADTHS = ("sector", "sectors", "members", "public")


def upgrade() -> None:
    with op.batch_alter_table("submission_review", schema=None) as batch_op:
        batch_op.alter_column(
            "breadth",
            existing_type=sa.String(length=16),
            type_=sa.String(length=32),
            existing_nullable=True,
        )
        batch_op.create_check_constraint(
            "sharing_breadth",
            sa.column("breadth").in_(BREADTHS),
        )


def downgrade() -> None:
    with op.batch_alter_table("submission_review", schema=None) as batch_op:
        batch_op.drop_constraint("sharing_breadth", type_="check")
        batch_op.alter_column(
            "breadth",
            existing_type=sa.String(length=32),
            type_=sa.String(length=16),
            existing_nullable=True,
        )
