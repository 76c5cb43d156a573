from __future__ import annotations

from flask import Blueprint

from timetracker.auth.access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET"])
@admin_required
def users():  # type: ignore[no-untyped-def]
    return "users"
