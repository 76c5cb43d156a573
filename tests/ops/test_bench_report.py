"""The bench smoke run (``make bench-quick``) says it asserts nothing instead of "missed"."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from bench import report
from bench.__main__ import csv_summary

RESULT = Path(__file__).resolve().parents[2] / "bench" / "results" / "2026-11-25-10000-sqlite.json"


def test_a_quick_run_judges_no_target() -> None:
    result = json.loads(RESULT.read_text())
    full = report.markdown(result)
    assert "missed" in full  # the full run at 10,000 entries did miss targets

    quick = copy.deepcopy(result)
    quick["run"]["quick"] = True
    csv_page = next(page for page in quick["pages"] if page["key"] == "csv")
    quick["csv"] = csv_summary(csv_page, judged=False)
    csv_page["csv_verdict"] = quick["csv"]["verdict"]
    text = report.markdown(quick)
    assert "missed" not in text and " met" not in text
    assert "asserts nothing" in text
    assert report.NOT_JUDGED in text
