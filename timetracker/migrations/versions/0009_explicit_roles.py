"""Explicit stored roles: admin, staff, client (a client's contact) and none (no access).

``role`` no longer sits beside a portal flag that silently decides who is staff: it says what
the account may open, and CHECK constraints tie the portal fields to it (a ``client`` has a
client and the portal; nobody else has either). Existing rows map as follows:

* portal enabled with a client  -> client
* portal enabled without one    -> none (it had no access before either)
* role ``admin``                -> admin (a stale client link is dropped)
* role ``user``                 -> staff (likewise)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "role IN ('admin', 'user')"
NEW_ROLES = "role IN ('admin', 'staff', 'client', 'none')"
CLIENT_LINK = (
    "(role = 'client' AND client_id IS NOT NULL AND client_portal_enabled)"
    " OR (role <> 'client' AND client_id IS NULL AND NOT client_portal_enabled)"
)

users = sa.table(
    "users",
    sa.column("role", sa.String),
    sa.column("client_portal_enabled", sa.Boolean),
    sa.column("client_id", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role_known"), type_="check")

    portal = users.c.client_portal_enabled.is_(sa.true())
    op.execute(users.update().where(portal, users.c.client_id.isnot(None)).values(role="client"))
    op.execute(
        users.update()
        .where(portal, users.c.client_id.is_(None))
        .values(role="none", client_portal_enabled=False)
    )
    op.execute(
        users.update()
        .where(users.c.role == "user")
        .values(role="staff", client_portal_enabled=False, client_id=None)
    )
    op.execute(
        users.update()
        .where(users.c.role == "admin")
        .values(client_portal_enabled=False, client_id=None)
    )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_users_role_known"), NEW_ROLES)
        batch_op.create_check_constraint(batch_op.f("ck_users_role_client_link"), CLIENT_LINK)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role_client_link"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_users_role_known"), type_="check")

    # Before 0009 "portal enabled without a client" was the state without access.
    op.execute(
        users.update()
        .where(users.c.role == "none")
        .values(role="user", client_portal_enabled=True, client_id=None)
    )
    op.execute(users.update().where(users.c.role.in_(("staff", "client"))).values(role="user"))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f("ck_users_role_known"), OLD_ROLES)
