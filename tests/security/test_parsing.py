"""The one parser per kind of value: ids and page numbers at their edges, for every caller."""

from __future__ import annotations

import pytest

from timetracker.auth.sessions import LoginId
from timetracker.pagination import MAX_PAGE
from timetracker.parsing import MAX_ID, parse_id, parse_page

KEY = "k" * 32
NOT_NUMBERS = ["", " 1", "1 ", "+1", "-1", "1.0", "1e3", "٣", "３", "¹", "0x1", "9" * 5000, None]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_anything_but_ascii_digits_is_no_id_and_no_page(text: str | None) -> None:
    assert parse_id(text) is None
    assert parse_page(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", None), ("1", 1), ("007", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None)],
)
def test_ids_are_what_the_database_holds(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", None), ("1", 1), (str(MAX_PAGE), MAX_PAGE), (str(MAX_PAGE + 1), None)],
)
def test_pages_run_from_one_to_the_limit(text: str, expected: int | None) -> None:
    assert parse_page(text) == expected


@pytest.mark.parametrize("user_id", ["٣", "３", "0", str(MAX_ID + 1), "-3"])
def test_a_session_login_id_with_a_foreign_number_is_anonymous(user_id: str) -> None:
    assert LoginId.parse(f"{user_id}:1:{KEY}") is None
    assert LoginId.parse(f"3:{user_id}:{KEY}") is None
    assert LoginId.parse(f"3:1:{KEY}") == LoginId(3, 1, KEY)
