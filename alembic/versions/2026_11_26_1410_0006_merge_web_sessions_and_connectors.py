"""join the web sessions and connectors branches

Revision ID: 0006
Revises: 0004, 0005
Create Date: 2026-11-26 13:09:23.275693
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0006"
down_revision: tuple[str, ...] = ("0004", "0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
