"""member_asset.kind: sites, group companies, teams and id formats join the asset kinds

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:10:00

A member registers its plants and offices, its group companies, its CSIRT/SOC team names
and the templates of its internal identifiers (case and ticket numbers), so the sanitizer
removes them from every submission. The kinds are strings under a CHECK constraint; the
constraint is recreated with the four new values (batch mode, so SQLite copies the table).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of hub.models.AssetKind's values before and after this revision.
OLD_KINDS = (
    "name",
    "dns_domain",
    "email_domain",
    "ip_range",
    "ad_domain",
    "hostname_pattern",
    "term",
)
NEW_KINDS = (*OLD_KINDS, "site", "group_company", "team", "id_format")
# Named by the metadata's naming convention: ck_<table>_<constraint name>.
CHECK = "asset_kind"


def _replace_check(kinds: Sequence[str]) -> None:
    with op.batch_alter_table("member_asset", schema=None) as batch_op:
        batch_op.drop_constraint(CHECK, type_="check")
        batch_op.create_check_constraint(CHECK, sa.column("kind").in_(kinds))


def upgrade() -> None:
    _replace_check(NEW_KINDS)


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM member_asset WHERE kind IN :kinds").bindparams(
            sa.bindparam(
                "kinds", value=[k for k in NEW_KINDS if k not in OLD_KINDS], expanding=True
            )
        )
    )
    _replace_check(OLD_KINDS)
