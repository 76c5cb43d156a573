"""Branding end to end: an administrator uploads the firm's logo and a client's portal logo,
picks the client's accent colour with the colour picker (the live preview warns about a pale
one), and the client's contact then sees the logo and the accent in the portal: navigation,
the active invoice filter, buttons. Every page passes the console, CSP and axe checks."""

from __future__ import annotations

import io
import re
import secrets

from PIL import Image

from tests.e2e.support import Browse

PASSWORD = "branding-e2e-pass-7"
PALE, ACCENT = "#ffe066", "#7a1f5c"


def _png(colour: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _loaded(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_logos_accent_picker_and_the_branded_portal(browse: Browse):
    seed, page = browse.seed, browse.page
    tag = secrets.token_hex(3)
    client_name, display_name = f"Brandt Optics {tag}", f"Brandt {tag}"
    contact_email = f"brandt-{tag}@example.com"
    browse.login(seed.admin_email, seed.admin_password)

    # The firm's logo, on the settings page.
    browse.goto("/admin/settings")
    page.set_input_files(
        "#logo",
        files=[{"name": "firm.png", "mimeType": "image/png", "buffer": _png("#223344", (240, 80))}],
    )
    browse.click_and_wait(page.get_by_role("button", name="Save settings"))
    assert "Settings were saved." in page.inner_text("main")
    assert _loaded(page, "[data-testid=firm-logo] img")

    # A client with a logo; the accent chosen with the picker, previewed on white.
    browse.goto("/clients/new")
    page.get_by_label("Name", exact=True).fill(client_name)
    page.get_by_label("Default hourly rate").fill("90.00")
    page.get_by_label("Portal display name").fill(display_name)
    picker, text = page.get_by_test_id("accent-picker"), page.locator("#portal_accent_color")
    preview, warning = page.get_by_test_id("accent-preview"), page.get_by_test_id("accent-warning")
    picker.fill(PALE)
    assert text.input_value() == PALE.upper()
    assert preview.is_visible() and warning.is_visible()
    assert re.search(r"Contrast against white: 1\.\d\d:1", preview.inner_text())
    sample = page.locator("[data-accent-sample-button]")
    assert sample.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(PALE)
    browse.check()  # the warning shown: still clean
    text.fill(ACCENT)  # typing keeps the picker in step
    assert picker.input_value() == ACCENT
    assert not warning.is_visible()
    assert "Contrast against white: " in preview.inner_text()
    page.set_input_files(
        "#portal_logo",
        files=[
            # A word mark 20 times as wide as high: scaled down to fit the navigation.
            {"name": "brandt.jpg", "mimeType": "image/jpeg", "buffer": _png("#7a1f5c", (1600, 80))}
        ],
    )
    browse.click_and_wait(page.get_by_role("button", name="Save client"))
    assert re.fullmatch(r"/clients/\d+", browse.path), browse.path

    # Its contact.
    browse.goto("/admin/users/new")
    page.get_by_label("Name", exact=True).fill(f"Brandt Contact {tag}")
    page.get_by_label("Email").fill(contact_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Enable Client Portal").check()
    page.get_by_label("Client", exact=True).select_option(label=client_name)
    browse.click_and_wait(page.get_by_role("button", name="Save"))
    assert browse.path == "/admin/users"
    browse.logout()

    # The portal as that contact: the logo, named, and the accent.
    browse.login(contact_email, PASSWORD)
    browse.goto("/client-portal")
    logo = page.get_by_test_id("portal-logo")
    assert logo.get_attribute("alt") == display_name
    assert _loaded(page, "[data-testid=portal-logo]")
    box = logo.bounding_box()
    assert box is not None and box["width"] <= 160 and box["height"] <= 32, box
    navbar = page.locator("nav.navbar")
    assert navbar.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(ACCENT)
    browse.goto("/client-portal/invoices")
    active = page.get_by_test_id("invoice-filters").locator(".nav-link.active")
    assert active.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(ACCENT)
    browse.screens("portal-branded")
