"""The targets the benchmark checks (issue 7 for the portal, issue 19 for the staff pages)."""

from __future__ import annotations

from typing import Any

#: Every portal page: p95 at 1 connection, throughput at 8 against the ceiling, SQL per page.
P95_LIMIT_MS = 25.0
MIN_RATIO_OF_TRIVIAL = 0.25
MAX_QUERIES = 10
#: The portal's CSV export of the benchmark client's entries.
CSV_LIMIT_S = 3.0
CSV_MEMORY_LIMIT_MB = 50.0
#: The mixed set (portal and staff pages, 50 connections): no errors and p99 under this.
MIXED_P99_LIMIT_MS = 250.0
#: CPU per request from 10,000 to 1,000,000 entries.
FLAT_TOLERANCE = 0.20
#: Staff pages: p95 at 1 connection; reports over a year have their own limit.
STAFF_P95_LIMIT_MS = 50.0
REPORT_P95_LIMIT_MS = 100.0
REPORT_KEYS = ("report_client", "report_project", "report_user")

#: The targets column of a quick run, whose measurements are too short to judge them.
NOT_JUDGED = "not judged (smoke run)"
QUICK_NOTE = "its timings are too short to judge the targets (run `make bench` for that)."


def _errors(page: dict[str, Any]) -> list[str]:
    errors = page["c1"]["errors"] + page["c8"]["errors"]
    return [f"{errors} errors"] if errors else []


def page_verdict(page: dict[str, Any], trivial_rps_8: float) -> list[str]:
    """The portal targets this page misses (empty when it meets them all)."""
    misses = []
    c1, c8 = page["c1"], page["c8"]
    if c1["p95_ms"] >= P95_LIMIT_MS:
        misses.append(f"p95 {c1['p95_ms']:.0f} ms ≥ {P95_LIMIT_MS:.0f}")
    if trivial_rps_8 and c8["rps"] < MIN_RATIO_OF_TRIVIAL * trivial_rps_8:
        misses.append(f"{c8['rps'] / trivial_rps_8:.0%} of ceiling < {MIN_RATIO_OF_TRIVIAL:.0%}")
    if page.get("queries") is not None and page["queries"] > MAX_QUERIES:
        misses.append(f"{page['queries']} SQL > {MAX_QUERIES}")
    return misses + _errors(page)


def staff_limit_ms(key: str) -> float:
    return REPORT_P95_LIMIT_MS if key in REPORT_KEYS else STAFF_P95_LIMIT_MS


def staff_verdict(page: dict[str, Any]) -> list[str]:
    """The staff targets this page misses: p95 at 1 connection (looser for a year's report)."""
    limit = staff_limit_ms(page["key"])
    misses = []
    if page["c1"]["p95_ms"] >= limit:
        misses.append(f"p95 {page['c1']['p95_ms']:.0f} ms ≥ {limit:.0f}")
    return misses + _errors(page)


def mixed_met(mixed: dict[str, Any]) -> bool:
    return mixed["errors"] == 0 and mixed["p99_ms"] < MIXED_P99_LIMIT_MS
