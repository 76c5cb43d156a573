from __future__ import annotations

from flask import Blueprint, render_template

from timetracker.auth.access import staff_required

bp = Blueprint("workspace", __name__)


@bp.route("/dashboard", methods=["GET"])
@staff_required
def dashboard():  # type: ignore[no-untyped-def]
    return render_template("workspace/dashboard.html")
