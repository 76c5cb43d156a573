"""The firm's logo: uploaded, replaced and removed on the settings page, audited, and served
to anyone signed in with private caching, ``nosniff`` and a sandboxing policy."""

from __future__ import annotations

import pytest

from tests.logos import images
from tests.logos.conftest import file, firm, logo_count, logo_events, save_settings
from tests.portal.conftest import signed_in
from timetracker.models import Logo
from timetracker.sharing.responses import DOWNLOAD_CSP


def test_upload_replace_and_remove(as_admin, session):
    first = images.png((200, 80))
    # A PNG named .jpg and declared a JPEG by the browser: the content decides.
    response = save_settings(as_admin, session, logo=file(first, "logo.jpg", "image/jpeg"))
    assert response.status_code == 302
    logo = session.get(Logo, firm(session).logo_id)
    assert (logo.content_type, logo.width, logo.height, logo.size) == (
        "image/png",
        200,
        80,
        len(first),
    )
    served = as_admin.get("/logos/firm")
    assert served.status_code == 200 and served.get_data() == first
    assert served.mimetype == "image/png"

    second = images.image("JPEG", (60, 60))
    assert save_settings(as_admin, session, logo=file(second, "new.png")).status_code == 302
    assert logo_count(session) == 1  # the old one is gone with its owner's change
    assert as_admin.get("/logos/firm").get_data() == second

    # Saving without a file keeps the logo.
    assert save_settings(as_admin, session).status_code == 302
    assert firm(session).logo_id is not None

    assert save_settings(as_admin, session, remove_logo="y").status_code == 302
    assert firm(session).logo_id is None and logo_count(session) == 0
    assert as_admin.get("/logos/firm").status_code == 404
    details = [event.detail for event in logo_events(session)]
    assert len(details) == 3
    assert details[0].startswith("Firm logo set: image/png, 200 × 80 px")
    assert details[-1] == "Firm logo removed"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (images.png_of_exactly(512 * 1024 + 1), "larger than 512 KB"),
        (images.png((2001, 10)), "2001 × 10 pixels"),
        (b"\x89PNG\r\n\x1a\n" + images.image("JPEG"), "not a complete, valid one"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG images are not accepted"),
        (images.png()[:-30], "not a complete, valid one"),
        (b"", "The file is empty"),
        (images.png() + b"<html><script>alert(1)</script>", "holds more than a PNG image"),
    ],
    ids=["over-512kb", "2001px", "jpeg-as-png", "svg", "truncated", "empty", "polyglot"],
)
def test_a_refused_file_is_400_with_the_reason_and_writes_nothing(as_admin, session, data, message):
    response = save_settings(
        as_admin, session, logo=file(data, "logo.png", "image/png"), vat_id="DE123456789"
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert logo_count(session) == 0 and logo_events(session) == []
    assert firm(session).logo_id is None and firm(session).vat_id is None


def test_a_refused_replacement_keeps_the_old_logo(as_admin, session):
    save_settings(as_admin, session, logo=file(images.png(), "a.png"))
    before = firm(session).logo_id
    response = save_settings(as_admin, session, logo=file(b"GIF89a" + b"\x00" * 20, "b.png"))
    assert response.status_code == 400
    assert firm(session).logo_id == before and logo_count(session) == 1


def test_the_settings_page_shows_the_current_logo(as_admin, session):
    save_settings(as_admin, session, logo=file(images.png(), "a.png"))
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert f'src="/logos/firm?v={firm(session).logo_id}"' in html
    assert "Remove the logo" in html


class TestServing:
    def test_headers_and_revalidation(self, as_admin, session):
        save_settings(as_admin, session, logo=file(images.png(), "a.png"))
        digest = session.get(Logo, firm(session).logo_id).digest
        response = as_admin.get("/logos/firm")
        assert response.headers["ETag"] == f'"{digest}"'
        assert "private" in response.headers["Cache-Control"]
        assert "no-cache" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == DOWNLOAD_CSP
        again = as_admin.get("/logos/firm", headers={"If-None-Match": f'"{digest}"'})
        assert again.status_code == 304 and again.get_data() == b""

    @pytest.mark.parametrize(("who", "status"), [("staff", 200), ("alpha", 403)])
    def test_staff_get_it_and_contacts_do_not(self, app, as_admin, session, world, who, status):
        """The firm's logo is for the workspace and the PDFs (embedded); the portal shows the
        client's own."""
        save_settings(as_admin, session, logo=file(images.png(), "a.png"))
        user = world.staff if who == "staff" else world.a.portal_user
        assert signed_in(app, user).get("/logos/firm").status_code == status

    def test_nobody_signed_out(self, app, as_admin, session):
        save_settings(as_admin, session, logo=file(images.png(), "a.png"))
        response = signed_in(app, None).get("/logos/firm")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
