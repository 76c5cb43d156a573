"""Reports: hours and billable amounts per client, project, person or task over a period, all
time or only the unbilled; as a page, CSV or XLSX (``format``).

/reports   reports   staff   ?view=all|unbilled&period=<preset>|custom&date_from=&date_to=
                             &group=client|project|user|task&format=html|csv|xlsx&page=
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from timetracker import firm
from timetracker.workspace.common import empty_page, render_form
from timetracker.workspace.reports import exports, presets
from timetracker.workspace.reports.forms import REPORT_GROUPS, VIEWS, read_report_form
from timetracker.workspace.reports.queries import report_page, report_totals

TEMPLATE = "workspace/reports.html"


def reports() -> ResponseReturnValue:
    form, report = read_report_form(request.args, firm.today())
    common = {"form": form, "presets": presets.PRESETS, "views": VIEWS}
    if report is None:
        return render_form(TEMPLATE, 400, report=None, page=empty_page(), totals=[], **common)
    if report.format == "csv":
        return exports.csv_download(report)
    if report.format == "xlsx":
        return exports.xlsx_download(report)
    return render_template(
        TEMPLATE,
        report=report,
        group_label=REPORT_GROUPS[report.group],
        page=report_page(report),
        totals=report_totals(report),
        **common,
    )
