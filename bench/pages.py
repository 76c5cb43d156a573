"""The pages the benchmark measures: the client portal's and the staff workspace's.

A page is ``(key, name, path)``; ``{last}`` in a path is the last page number, read from the
first page of the list. Downloads whose rate limit forbids a timed run (the portal's CSV export
and invoice PDF) are in :data:`LIMITED_DOWNLOADS`: they are measured as a fixed number of
requests by the Python client instead of by wrk.
"""

from __future__ import annotations

from typing import Any

Page = tuple[str, str, str]

#: The ceiling: a route that answers a constant string (``TIMETRACKER_BENCH=1`` only).
CONSTANT: Page = ("constant", "Trivial route (ceiling)", "/__bench/constant")
#: Portal downloads rate limited per user (10 CSV and 30 PDF a minute): 3 in a row, then one
#: by each of 8 users at once.
LIMITED_DOWNLOADS = ("csv", "pdf")
#: Staff pages that are reports over a year (their own, looser, target).
REPORT_KEYS = ("report_client", "report_project", "report_user")
#: Pages that are file downloads: no page targets, and left out of the mixed set.
DOWNLOAD_KEYS = ("csv", "pdf", "staff_csv")
#: Left out of the mixed set, which stands for people reading pages: downloads, and reports
#: over a whole year (measured alone, against their own target).
NOT_MIXED = DOWNLOAD_KEYS + REPORT_KEYS


def portal_pages(facts: dict[str, Any]) -> list[Page]:
    entries = "/client-portal/time-entries"
    invoice = f"/client-portal/invoices/{facts['invoice_id']}"
    return [
        ("dashboard", "Dashboard", "/client-portal/dashboard"),
        ("projects", "Projects", "/client-portal/projects"),
        ("invoices_all", "Invoices: all", "/client-portal/invoices?status=all"),
        ("invoices_unpaid", "Invoices: unpaid", "/client-portal/invoices?status=unpaid"),
        ("invoices_overdue", "Invoices: overdue", "/client-portal/invoices?status=overdue"),
        ("invoice_detail", f"Invoice detail ({facts['invoice_items']} lines)", invoice),
        ("entries_first", "Time entries: first page", entries),
        ("entries_last", "Time entries: last page", entries + "?page={last}"),
        (
            "entries_project",
            f"Time entries: one project ({facts['project_entries']:,})",
            f"{entries}?project_id={facts['project_id']}",
        ),
        (
            "entries_month",
            "Time entries: one month",
            f"{entries}?date_from={facts['month_from']}&date_to={facts['month_to']}",
        ),
        ("csv", f"CSV export ({facts['bench_entries']:,} entries)", entries + ".csv"),
        ("pdf", f"Invoice PDF ({facts['invoice_items']} lines)", invoice + "/pdf"),
    ]


def year_range(facts: dict[str, Any]) -> str:
    year = facts["last_full_year"]
    return f"date_from={year}-01-01&date_to={year}-12-31"


def staff_pages(facts: dict[str, Any]) -> list[Page]:
    """Staff pages, signed in as a staff member (``staff01``, ``staff02``, ... per connection).

    The time list shows the signed-in person's entries unless ``user`` is given; ``user=``
    (empty) is everyone's, as the filter's "Everyone" sends it.
    """
    year = year_range(facts)
    client = facts["bench_client_id"]
    everyone_client = f"user=&client={client}&{year}"
    report = f"/reports?period=custom&{year}&group="
    return [
        ("staff_dashboard", "Dashboard", "/dashboard"),
        ("time_mine", "Time: own entries, first page", "/time"),
        ("time_mine_last", "Time: own entries, last page", "/time?page={last}"),
        ("time_client_year", "Time: one client, one year (everyone)", f"/time?{everyone_client}"),
        (
            "time_project_year",
            "Time: one project, one year (everyone)",
            f"/time?user=&project={facts['project_id']}&{year}",
        ),
        ("week", "Week view (this week)", "/time/week"),
        ("week_past", "Week view (a past week)", f"/time/week?week={facts['month_from']}"),
        ("staff_invoices", "Invoices", "/invoices"),
        (
            "staff_invoice_detail",
            f"Invoice detail ({facts['invoice_items']} lines)",
            f"/invoices/{facts['invoice_id']}",
        ),
        ("report_client", f"Report by client, {facts['last_full_year']}", report + "client"),
        ("report_project", f"Report by project, {facts['last_full_year']}", report + "project"),
        ("report_user", f"Report by person, {facts['last_full_year']}", report + "user"),
        (
            "staff_csv",
            "Time CSV export: one client, one year",
            f"/time/export.csv?{everyone_client}",
        ),
    ]


def mixed_paths(page_list: list[Page]) -> list[str]:
    """The pages of a list that go into the mixed set (not :data:`NOT_MIXED`, not a computed
    page)."""
    return [path for key, _, path in page_list if key not in NOT_MIXED and "{" not in path]
