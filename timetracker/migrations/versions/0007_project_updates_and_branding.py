"""Project status updates, project notes, and per-client portal branding.

``project_status_updates`` is the dated history of how a project stands (its newest row is the
current status the client sees); ``project_notes`` are staff notes, internal unless marked
visible to the client. Clients get three optional branding columns for their portal: a
display name, an accent colour (``#RRGGBB``) and a welcome message. Every new column is
nullable or has a server default, so existing rows need no backfill.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_status_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('on_track', 'at_risk', 'blocked', 'on_hold', 'completed')",
            name=op.f("ck_project_status_updates_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_project_status_updates_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_status_updates_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_status_updates")),
    )
    op.create_index(
        "ix_project_status_updates_project_id_created_at",
        "project_status_updates",
        ["project_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "project_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("visible_to_client", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_project_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_notes_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_notes")),
    )
    op.create_index(
        op.f("ix_project_notes_project_id"), "project_notes", ["project_id"], unique=False
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portal_display_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("portal_accent_color", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("portal_welcome_message", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("portal_welcome_message")
        batch_op.drop_column("portal_accent_color")
        batch_op.drop_column("portal_display_name")
    op.drop_index(op.f("ix_project_notes_project_id"), table_name="project_notes")
    op.drop_table("project_notes")
    op.drop_index(
        "ix_project_status_updates_project_id_created_at", table_name="project_status_updates"
    )
    op.drop_table("project_status_updates")
