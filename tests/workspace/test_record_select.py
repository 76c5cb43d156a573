"""The record select writes its options itself (thousands of projects on a page): the same HTML
as WTForms' own option, names escaped, the chosen one selected."""

from __future__ import annotations

import pytest
from wtforms.widgets import Select

from timetracker.workspace.record_select import _RecordSelect


@pytest.mark.parametrize(
    ("value", "label", "selected"),
    [
        (3, "Acme · Site", True),
        ("", "Choose a project…", False),
        (7, '<script>alert("x")</script> & Co', False),
        ("12", 'Quote\'s "draft"', True),
        (2**63, "Big id", False),
    ],
)
def test_an_option_reads_as_wtforms_writes_it(value: object, label: str, selected: bool) -> None:
    assert _RecordSelect.render_option(value, label, selected) == Select.render_option(
        value, label, selected
    )


def test_a_name_is_escaped_and_never_markup() -> None:
    html = str(_RecordSelect.render_option(1, "<b>Evil</b>", False))
    assert "<b>" not in html and "&lt;b&gt;Evil&lt;/b&gt;" in html


def test_an_option_with_attributes_is_left_to_wtforms() -> None:
    html = str(_RecordSelect.render_option(1, "A", False, data_client="9"))
    assert html == str(Select.render_option(1, "A", False, data_client="9"))
    assert 'data-client="9"' in html
