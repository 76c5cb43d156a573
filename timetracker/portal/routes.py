from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/client-portal")


@bp.route("", methods=["GET"])
def dashboard():  # type: ignore[no-untyped-def]
    return "portal"
