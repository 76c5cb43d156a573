"""The browser checks themselves: a page with a CSP violation, a console error, a failed
request or an unlabelled control must fail the test that visits it."""

from __future__ import annotations

import pytest

from tests.e2e.support import Browse

BREAK_THE_PAGE = """
() => {
  const script = document.createElement("script");
  script.textContent = "window.inlineRan = true;";  // inline: the CSP must block it
  document.body.appendChild(script);
  document.body.appendChild(document.createElement("input"));  // a control without a label
  console.error("something broke");
  return fetch("/static/no-such-file.js").then(r => r.text().then(() => r.status));
}
"""


def test_checks_catch_csp_violations_console_errors_failed_requests_and_missing_labels(
    browse: Browse,
):
    browse.goto("/login")
    page = browse.page
    assert page.evaluate(BREAK_THE_PAGE) == 404
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("() => window.inlineRan") is None

    with pytest.raises(AssertionError) as caught:
        browse.check()
    report = str(caught.value)
    assert "CSP violation on /login: script-src" in report
    assert "console error on" in report and "something broke" in report
    assert "HTTP 404: GET" in report and "no-such-file.js" in report
    assert "form control without a label on /login: <input>" in report
    assert "axe critical 'label'" in report

    # The next page starts clean.
    browse.goto("/login")
