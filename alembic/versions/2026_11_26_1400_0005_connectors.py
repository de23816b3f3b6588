"""connectors: upstream sources, peers with per-collection progress, member webhooks and deliveries, worker jobs

A branch beside 0004 (web sessions), both on 0003; reviewed by hand: only connector tables.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-26 12:02:12.206250
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.db
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connector_job",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "done",
                "dead",
                name="job_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("run_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_job")),
        sa.UniqueConstraint("kind", "subject", name="uq_connector_job_kind_subject"),
    )
    with op.batch_alter_table("connector_job", schema=None) as batch_op:
        batch_op.create_index("ix_connector_job_due", ["state", "run_at"], unique=False)

    op.create_table(
        "connector_peer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("api_root_url", sa.String(length=1000), nullable=False),
        sa.Column("collections", sa.JSON(), nullable=False),
        sa.Column(
            "auth_kind",
            sa.Enum(
                "none",
                "basic",
                "bearer",
                name="auth_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("credential", sa.Text(), nullable=True),
        sa.Column("ca_file", sa.String(length=1000), nullable=True),
        sa.Column("max_tlp", sa.String(length=16), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("objects_moved", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_peer")),
        sa.UniqueConstraint("name", name=op.f("uq_connector_peer_name")),
    )
    op.create_table(
        "connector_peer_progress",
        sa.Column("peer_id", sa.String(length=36), nullable=False),
        sa.Column("collection_slug", sa.String(length=80), nullable=False),
        sa.Column("last_date_added", sa.BigInteger(), nullable=False),
        sa.Column("sent", sa.BigInteger(), nullable=False),
        sa.Column("withheld", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["connector_peer.id"],
            name=op.f("fk_connector_peer_progress_peer_id_connector_peer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "peer_id", "collection_slug", name=op.f("pk_connector_peer_progress")
        ),
    )
    op.create_table(
        "member_webhook",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_delivery_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_member_webhook_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_webhook")),
    )
    with op.batch_alter_table("member_webhook", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_webhook_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "connector_source",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("api_root_url", sa.String(length=1000), nullable=False),
        sa.Column("collections", sa.JSON(), nullable=False),
        sa.Column(
            "auth_kind",
            sa.Enum(
                "none",
                "basic",
                "bearer",
                name="auth_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("credential", sa.Text(), nullable=True),
        sa.Column("ca_file", sa.String(length=1000), nullable=True),
        sa.Column(
            "mode",
            sa.Enum(
                "member",
                "validate",
                name="source_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("member_id", sa.String(length=36), nullable=True),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("approver_account_id", sa.String(length=36), nullable=True),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("default_tlp", sa.String(length=16), nullable=False),
        sa.Column("auto_approve", sa.Boolean(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("page_size", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("objects_moved", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_connector_source_account_id_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["approver_account_id"],
            ["account.id"],
            name=op.f("fk_connector_source_approver_account_id_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_connector_source_member_id_member"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_source")),
        sa.UniqueConstraint("name", name=op.f("uq_connector_source_name")),
    )
    with op.batch_alter_table("connector_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connector_source_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("collection_slug", sa.String(length=80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("date_added_last", sa.BigInteger(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "delivered",
                "failed",
                name="delivery_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["member_webhook.id"],
            name=op.f("fk_webhook_delivery_webhook_id_member_webhook"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_delivery_webhook_created", ["webhook_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_webhook_created")

    op.drop_table("webhook_delivery")
    with op.batch_alter_table("connector_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_source_member_id"))

    op.drop_table("connector_source")
    with op.batch_alter_table("member_webhook", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_webhook_member_id"))

    op.drop_table("member_webhook")
    op.drop_table("connector_peer_progress")
    op.drop_table("connector_peer")
    with op.batch_alter_table("connector_job", schema=None) as batch_op:
        batch_op.drop_index("ix_connector_job_due")

    op.drop_table("connector_job")
