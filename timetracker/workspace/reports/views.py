"""Reports: hours and billable amounts per client, project or person over a date range."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from timetracker import firm
from timetracker.billing import periods
from timetracker.workspace.common import empty_page, render_form
from timetracker.workspace.reports.forms import REPORT_GROUPS, ReportForm
from timetracker.workspace.reports.queries import report_page, report_totals


def reports() -> ResponseReturnValue:
    form = ReportForm(request.args)
    if not form.validate():
        return render_form(
            "workspace/reports.html", 400, form=form, page=empty_page(), totals=[], page_args={}
        )
    if "date_from" not in request.args and "date_to" not in request.args:
        form.date_from.data = periods.month_start(firm.today())
        form.date_to.data = firm.today()
    group = form.group.data
    args = {
        "group": group,
        "date_from": form.date_from.data.isoformat() if form.date_from.data else "",
        "date_to": form.date_to.data.isoformat() if form.date_to.data else "",
    }
    return render_template(
        "workspace/reports.html",
        form=form,
        group_label=REPORT_GROUPS[group],
        page=report_page(group, form.date_from.data, form.date_to.data),
        totals=report_totals(form.date_from.data, form.date_to.data),
        page_args=args,
    )
