"""What every browser test uses: the server's address and seed, and ``Browse``, a browser
context that watches each page for console errors, failed requests, error responses and
Content-Security-Policy violations, runs axe-core on it, checks that every form control has a
label, keeps the HTML of every page the server sends (``htmlcheck``: vnu validates them at the
end), and takes screenshots at desktop and phone sizes."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.support import NullTranslations, Translations

from tests.e2e.htmlcheck import HtmlPages

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TIMETRACKER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_VERSION = "4.14.1"
AXE = Path(__file__).parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
#: The pages whose screenshots the README shows (refreshed with TIMETRACKER_DOC_SCREENSHOTS=1).
DOC_PAGES = {
    "portal-quote-detail",
    "portal-dashboard",
    "portal-invoices",
    "portal-invoice-detail",
    "portal-invoice-payment",
    "portal-project-comments",
    "portal-documents",
    "portal-dashboard-de",
}
#: The browser's locale for each language the app speaks (it sends it as Accept-Language).
BROWSER_LOCALES = {"en": "en-US", "de": "de-DE", "fr": "fr-FR"}
TRANSLATIONS = ROOT / "timetracker" / "translations"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: axe impacts that fail a test; "minor" and "moderate" ones are written to the artifacts.
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class Seed:
    admin_email: str
    admin_password: str
    portal_email: str
    portal_password: str
    portal_client: str
    other_portal_email: str
    new_portal_email: str
    new_portal_name: str
    new_portal_client: str
    staff_email: str
    staff_name: str
    password: str
    staff_client: str
    staff_project: str
    acme_invoice_ids: list[int]
    other_client_invoice_id: int


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    seed: Seed
    log: Path
    database_url: str


# Recorded before any page script runs (init scripts are not subject to the page's CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""

# Every visible form control must have a label: <label for>, a wrapping label, aria-label or
# aria-labelledby. Returns a description of each one that has none.
UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(el => !["hidden", "submit", "button", "reset", "image"].includes(el.type))
  .filter(el => el.getClientRects().length > 0)
  .filter(el => !(el.labels && Array.from(el.labels).some(l => l.textContent.trim()))
    && !(el.getAttribute("aria-label") || "").trim()
    && !(el.getAttribute("aria-labelledby") || "").split(/\\s+/).some(id =>
         id && document.getElementById(id) && document.getElementById(id).textContent.trim()))
  .map(el => el.outerHTML.slice(0, 160))
"""

RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}
"""

HORIZONTAL_OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const page = document.documentElement.scrollWidth > width + 1;
  // A stacked table (.table-stack) must fit the phone without sideways scrolling.
  const tables = Array.from(document.querySelectorAll(".table-stack"))
    .filter(t => t.getClientRects().length && t.scrollWidth > t.parentElement.clientWidth + 1)
    .map(t => t.outerHTML.slice(0, 80));
  // Nothing of the menu may run past the window's edge (German and French words are longer).
  const menu = Array.from(document.querySelectorAll("header nav a, header nav button"))
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
    .map(e => e.textContent.trim());
  return {page: page ? document.documentElement.scrollWidth + " > " + width : null, tables, menu};
}
"""


@cache
def _translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language])


def translate(language: str, message: str, context: str | None = None, **values: Any) -> str:
    """``message`` (in ``context``) as the app shows it in ``language``, from the compiled
    catalogs, so that a test finds a button by the name a German or French reader sees."""
    catalog = _translations(language)
    text = catalog.pgettext(context, message) if context else catalog.gettext(message)
    return text % values if values else text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Browse:
    """One browser context (its own cookies) and the page it drives."""

    context: Any
    server: LiveServer
    artifacts: Path
    test_name: str
    #: The language the browser asks for (``Accept-Language``).
    language: str = "en"
    problems: list[str] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    _allowed: set[tuple[str, int]] = field(default_factory=set)
    _downloads: set[str] = field(default_factory=set)
    #: Where the HTML documents go (None: not kept), and those not yet read.
    html: HtmlPages | None = None
    _documents: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.seed = self.server.seed
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)

    # Listeners ------------------------------------------------------------------------------
    def _is_allowed(self, url: str, status: int) -> bool:
        return (urlsplit(url).path, status) in self._allowed

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        status = re.search(r"status of (\d{3})", text)
        where = message.location.get("url", "")
        if status and self._is_allowed(where, int(status.group(1))):
            return
        self.problems.append(f"console error on {self.page.url}: {text} ({where})")

    def _on_request_failed(self, request: Any) -> None:
        failure = request.failure or ""
        # The browser aborts what it cancels itself: a download handed to the download manager,
        # or a request still in flight (the favicon, an image) when the page is left. A server
        # that fails shows as an HTTP status or as another network error, which are kept.
        if "ERR_ABORTED" in failure:
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400 and not self._is_allowed(response.url, response.status):
            method = response.request.method
            self.problems.append(f"HTTP {response.status}: {method} {response.url}")
        is_page = response.request.resource_type == "document" and not 300 <= response.status < 400
        if is_page and "text/html" in response.headers.get("content-type", ""):
            self._documents.append(response)  # its body is read outside the event handler

    def keep_html(self) -> None:
        """Hand the HTML documents received so far, as the server sent them, to ``html``. One
        the browser has already let go of (a page left before it was checked) is skipped."""
        documents, self._documents = self._documents, []
        if self.html is None:
            return
        for response in documents:
            try:
                body = response.body()
            except Exception:  # noqa: BLE001, S112 - Playwright's error when the body is gone
                continue
            parts = urlsplit(response.url)
            self.html.add(parts.path + (f"?{parts.query}" if parts.query else ""), body)

    def t(self, message: str, context: str | None = None, **values: Any) -> str:
        """``message`` in the browser's language (:func:`translate`)."""
        return translate(self.language, message, context, **values)

    @property
    def suffix(self) -> str:
        """What tells a screenshot of the same page in another language apart."""
        return "" if self.language == "en" else f"-{self.language}"

    # Navigation -----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.server.base_url + path

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def expect_status(self, path: str, status: int) -> None:
        """Declare that ``path`` is deliberately answered with ``status`` (e.g. a 404 test)."""
        self._allowed.add((urlsplit(path).path, status))

    def expect_download(self, path: str) -> None:
        self._downloads.add(urlsplit(path).path)

    def goto(self, path: str, status: int = 200, *, check: bool = True) -> Any:
        response = self.page.goto(path)
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        if check:
            self.check()
        return response

    def login(self, email: str, password: str) -> None:
        self.goto("/login")
        self.page.get_by_label(self.t("Email")).fill(email)
        self.page.get_by_label(self.t("Password")).fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=self.t("Log in")).click()
        self.check()

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=self.t("Log out")).click()
        assert urlsplit(self.page.url).path == "/login", self.page.url
        self.check()

    def click_and_wait(self, locator: Any) -> None:
        """Click something that loads a new page, then check that page."""
        with self.page.expect_navigation():
            locator.click()
        self.check()

    # Checks ---------------------------------------------------------------------------------
    def check(self) -> None:
        """The page as it stands: no CSP violation, every control labelled, no serious or
        critical axe violation, and nothing reported by the listeners so far."""
        page = self.page
        page.wait_for_load_state("load")
        where = self.path
        self.checked.append(where)
        self.keep_html()
        violations = page.evaluate("() => window.__cspViolations || []")
        self.problems.extend(f"CSP violation on {where}: {v}" for v in violations)
        unlabelled = page.evaluate(UNLABELLED_CONTROLS)
        self.problems.extend(f"form control without a label on {where}: {c}" for c in unlabelled)
        self.problems.extend(self._axe(where))
        self.assert_clean()

    def _axe(self, where: str) -> list[str]:
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        found = []
        for violation in self.page.evaluate(RUN_AXE):
            violation["page"] = where
            violation["viewport"] = self.page.viewport_size
            if violation["impact"] in BLOCKING_IMPACTS:
                found.append(
                    f"axe {violation['impact']} '{violation['id']}' on {where}: "
                    f"{violation['help']}\n    " + "\n    ".join(violation["nodes"])
                )
            else:
                self.notes.append(violation)
        return found

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        if any(re.match(r"HTTP 5\d\d", p) for p in problems):
            log = self.server.log.read_text(errors="replace").splitlines()
            problems.append("server log (last 40 lines):\n" + "\n".join(log[-40:]))
        assert not problems, "browser problems:\n  " + "\n  ".join(problems)

    def screens(self, name: str) -> None:
        """Screenshots at 1280×800 and 390×844; at phone size the page must not scroll
        sideways and stacked tables must fit, and axe runs again."""
        page = self.page
        self.artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=self.artifacts / f"{name}-desktop.png", full_page=True)
        overflow = page.evaluate(HORIZONTAL_OVERFLOW)
        assert overflow["page"] is None, f"{name} scrolls sideways at 1280 px: {overflow}"
        assert not overflow["menu"], f"{name}: the menu runs off the window: {overflow}"
        page.set_viewport_size(PHONE)
        try:
            overflow = page.evaluate(HORIZONTAL_OVERFLOW)
            assert overflow["page"] is None, f"{name} scrolls sideways on a phone: {overflow}"
            assert not overflow["tables"], f"{name}: tables wider than a phone: {overflow}"
            assert not overflow["menu"], f"{name}: the menu runs off a phone: {overflow}"
            page.screenshot(path=self.artifacts / f"{name}-phone.png", full_page=True)
            if name in DOC_PAGES and os.environ.get("TIMETRACKER_DOC_SCREENSHOTS") == "1":
                self._doc_screenshots(name)
            self.check()
        finally:
            page.set_viewport_size(DESKTOP)

    def _doc_screenshots(self, name: str) -> None:
        """Refresh the screenshots the README shows (run with TIMETRACKER_DOC_SCREENSHOTS=1)."""
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page = self.page
        height = min(page.evaluate("document.documentElement.scrollHeight"), 1500)
        page.screenshot(
            path=DOC_SCREENSHOTS / f"{name}-phone.png",
            full_page=True,
            clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height},
        )
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=DOC_SCREENSHOTS / f"{name}-desktop.png")
        page.set_viewport_size(PHONE)

    def write_notes(self) -> None:
        """Keep the non-blocking axe findings with the screenshots, for people to read."""
        if not self.notes:
            return
        folder = self.artifacts.parent / "axe"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{_slug(self.test_name)}.json").write_text(json.dumps(self.notes, indent=2))
