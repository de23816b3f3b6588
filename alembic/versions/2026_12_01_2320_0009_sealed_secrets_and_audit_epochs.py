"""Secrets at rest and key epochs: connector credentials and webhook secrets sealed, audit
entries naming their key epoch

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:20:00

Reviewed by hand. Existing plain credentials and webhook secrets are sealed with the hub's
current secret (AES-256-GCM under an HKDF key, the key epoch beside each ciphertext, as
hub.keys does); existing audit entries were signed with the current secret, so they are
stamped with its epoch. The keyring comes from the migration's caller or, when rows need it,
from the hub's settings (MAMORI_SECRET_KEY), so an empty database needs no secret.
The downgrade opens the seals again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import context, op
from hub.keys import Keyring, is_sealed

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of connectors.sealing.CONTEXTS.
SEALED = (
    ("connector_source", "credential", "connector_source.credential"),
    ("connector_peer", "credential", "connector_peer.credential"),
    ("member_webhook", "secret", "member_webhook.secret"),
)


def _keyring() -> Keyring:
    given = context.config.attributes.get("keyring")
    if isinstance(given, Keyring):
        return given
    from hub.config import Settings

    return Settings().keyring


def _rows(table: str, column: str) -> list[tuple[str, str]]:
    bind = op.get_bind()
    query = sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
    return [(str(i), str(v)) for i, v in bind.execute(query)]


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    with op.batch_alter_table("member_webhook", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=False
        )
    bind = op.get_bind()
    keyring: Keyring | None = None
    if bind.execute(sa.text("SELECT 1 FROM audit_entry LIMIT 1")).first() is not None:
        keyring = _keyring()
        bind.execute(sa.text("UPDATE audit_entry SET key_id = :kid"), {"kid": keyring.current_id})
    for table, column, seal_context in SEALED:
        for row_id, value in _rows(table, column):
            if is_sealed(value):
                continue
            keyring = keyring or _keyring()
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),  # noqa: S608
                {"v": keyring.seal(value, context=seal_context), "id": row_id},
            )


def downgrade() -> None:
    bind = op.get_bind()
    keyring: Keyring | None = None
    for table, column, seal_context in SEALED:
        for row_id, value in _rows(table, column):
            if not is_sealed(value):
                continue
            keyring = keyring or _keyring()
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),  # noqa: S608
                {"v": keyring.open(value, context=seal_context), "id": row_id},
            )
    with op.batch_alter_table("member_webhook", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=sa.Text(), type_=sa.String(length=200), existing_nullable=False
        )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("key_id")
