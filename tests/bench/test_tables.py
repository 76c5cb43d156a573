"""The results' Markdown: staff pages in their own table, the generator's CPU share, the worker
comparison, older results (before wrk) still rendering, and the README section."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from bench import pages, report, targets

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"
OLD = RESULTS / "2026-11-25-10000-sqlite.json"


def _run(rps: float, p95: float, errors: int = 0) -> dict[str, Any]:
    return {
        "concurrency": 1,
        "requests": 100,
        "errors": errors,
        "seconds": 5.0,
        "rps": rps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 1.2,
        "max_ms": p95 * 2,
        "first_error": "HTTP 302 on /dashboard: /login" if errors else None,
        "app_cpu_ms": 10.0,
        "db_cpu_ms": 1.0,
        "app_cpu_pct": 90.0,
        "db_cpu_pct": 5.0,
        "generator": "wrk",
        "generator_cpu_pct": 3.0,
    }


def _new_result() -> dict[str, Any]:
    result = json.loads(OLD.read_text())
    result["run"] |= {"generator": "wrk", "worker_class": "sync", "threads": 1}
    result["connection_header"] = "close"
    staff = {
        "key": "report_client",
        "name": "Report by client, 2025",
        "path": "/reports?group=client",
        "c1": _run(20, 120),
        "c8": _run(30, 400, errors=2),
        "queries": 7,
        "size_bytes": 2048,
    }
    staff["misses"] = targets.staff_verdict(staff)
    result["staff_pages"] = [staff]
    return result


def test_the_staff_pages_have_their_own_table_with_their_targets() -> None:
    text = report.markdown(_new_result())
    staff_part = text.split("Staff pages")[1]
    assert "| Report by client, 2025 |" in staff_part
    assert "missed: p95 120 ms ≥ 100; 2 errors" in staff_part
    assert "HTTP 302 on /dashboard: /login" in staff_part
    assert "wrk on the same machine" in text and "`Connection: close`" in text


def test_a_staff_page_under_its_limit_meets_it() -> None:
    page = {"key": "staff_dashboard", "c1": _run(50, 49), "c8": _run(80, 300)}
    assert targets.staff_verdict(page) == []
    page["c1"] = _run(50, 51)
    assert targets.staff_verdict(page) == ["p95 51 ms ≥ 50"]
    assert targets.staff_limit_ms("report_user") == targets.REPORT_P95_LIMIT_MS


def test_a_result_from_before_wrk_still_renders() -> None:
    text = report.markdown(json.loads(OLD.read_text()))
    assert "Python client" in text and "Staff pages" not in text


def test_the_worker_comparison_is_a_table_of_its_own() -> None:
    result = json.loads(OLD.read_text())
    result["run"] |= {"compare_workers": True, "generator": "wrk"}
    mixed = _run(200, 150) | {"concurrency": 50}
    result["worker_comparison"] = [
        {
            "worker_class": "gthread",
            "workers": 2,
            "threads": 4,
            "connection_header": "keep-alive",
            "constant_c8": _run(2000, 5),
            "mixed": mixed,
        }
    ]
    text = report.markdown(result)
    assert "| gthread, 2 workers x 4 threads | yes | 2000 |" in text
    assert "Portal pages" not in text


def test_render_only_rewrites_the_markdown_and_returns_the_readme_section(tmp_path: Path) -> None:
    for path in RESULTS.glob("*-10000-*.json"):
        shutil.copy(path, tmp_path / path.name)
    text = report.rerender(tmp_path)
    assert text.startswith("#### 10,000 entries on")
    assert (tmp_path / "latest-sqlite.md").exists()


def test_every_page_key_is_unique_and_downloads_and_year_reports_stay_out_of_the_mix() -> None:
    facts = {
        "invoice_id": 7,
        "invoice_items": 3,
        "project_id": 2,
        "project_entries": 40,
        "month_from": "2025-03-01",
        "month_to": "2025-03-31",
        "bench_entries": 1000,
        "bench_client_id": 1,
        "last_full_year": 2025,
    }
    every = pages.portal_pages(facts) + pages.staff_pages(facts) + [pages.CONSTANT]
    keys = [key for key, _, _ in every]
    assert len(keys) == len(set(keys))
    mixed = pages.mixed_paths(pages.staff_pages(facts))
    assert not any("export.csv" in path or "{last}" in path for path in mixed)
    assert not any(path.startswith("/reports") for path in mixed)  # measured alone
    assert "/time/week" in mixed and "/invoices" in mixed
