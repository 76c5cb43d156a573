"""A client's portal logo: set on the client form, seen by staff there, and in the portal only
by that client's own contacts (another client's contact cannot reach it by any address)."""

from __future__ import annotations

import re

import pytest

from tests.logos import images
from tests.logos.conftest import file, logo_count, logo_events, save_client
from tests.portal.conftest import signed_in

PORTAL_LOGO = "/client-portal/logo"


@pytest.fixture
def logos(as_admin, session, world):
    """Alpha and Bravo each with a logo of their own."""
    alpha, bravo = images.png((90, 30), "#aa0000"), images.png((90, 30), "#0000aa")
    assert (
        save_client(as_admin, session, world.a.client, portal_logo=file(alpha, "a.png")).status_code
        == 302
    )
    assert (
        save_client(as_admin, session, world.b.client, portal_logo=file(bravo, "b.png")).status_code
        == 302
    )
    session.refresh(world.a.client)
    session.refresh(world.b.client)
    return alpha, bravo


def test_each_contact_gets_only_their_own_clients_logo(app, world, logos):
    alpha, bravo = logos
    as_alpha = signed_in(app, world.a.portal_user)
    as_bravo = signed_in(app, world.b.portal_user)
    assert as_alpha.get(PORTAL_LOGO).get_data() == alpha
    assert as_bravo.get(PORTAL_LOGO).get_data() == bravo
    # No address of the portal takes a client or logo id: the other's cannot be asked for ...
    bravo_logo = world.b.client.portal_logo_id
    assert as_alpha.get(f"{PORTAL_LOGO}?v={bravo_logo}").get_data() == alpha
    assert as_alpha.get(f"{PORTAL_LOGO}?client_id={world.b.client.id}").get_data() == alpha
    # ... and the staff address refuses contacts.
    assert as_alpha.get(f"/logos/clients/{world.b.client.id}").status_code == 403


def test_a_client_without_a_logo_answers_404(app, as_admin, session, world, logos):
    assert save_client(as_admin, session, world.b.client, remove_portal_logo="y").status_code == 302
    assert signed_in(app, world.b.portal_user).get(PORTAL_LOGO).status_code == 404
    assert signed_in(app, world.a.portal_user).get(PORTAL_LOGO).status_code == 200
    assert logo_count(session) == 1
    assert [e.client_id for e in logo_events(session)] == [
        world.a.client.id,
        world.b.client.id,
        world.b.client.id,
    ]


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_the_portal_address_is_for_contacts_only(app, world, logos, who):
    user = world.staff if who == "staff" else world.admin
    assert signed_in(app, user).get(PORTAL_LOGO).status_code == 403


def test_staff_see_the_logo_on_the_client_form(app, world, logos):
    alpha, _ = logos
    as_staff = signed_in(app, world.staff)
    response = as_staff.get(f"/logos/clients/{world.a.client.id}")
    assert response.get_data() == alpha and response.headers["X-Content-Type-Options"] == "nosniff"
    html = (
        signed_in(app, world.admin).get(f"/clients/{world.a.client.id}/edit").get_data(as_text=True)
    )
    assert f'src="/logos/clients/{world.a.client.id}?v={world.a.client.portal_logo_id}"' in html
    assert "Remove the portal logo" in html


def test_the_portal_navigation_shows_the_logo_with_the_display_name(app, session, world, logos):
    world.a.client.portal_display_name = 'Alpha "Digital" <b>'
    session.commit()
    html = signed_in(app, world.a.portal_user).get("/client-portal").get_data(as_text=True)
    img = re.search(r'<img [^>]*data-testid="portal-logo"[^>]*>', html).group(0)
    assert f'src="/client-portal/logo?v={world.a.client.portal_logo_id}"' in img
    assert 'alt="Alpha &#34;Digital&#34; &lt;b&gt;"' in img
    assert 'height="32"' in img


def test_no_logo_no_image_in_the_navigation(app, world):
    html = signed_in(app, world.a.portal_user).get("/client-portal").get_data(as_text=True)
    assert 'data-testid="portal-logo"' not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (images.png((10, 2001)), "10 × 2001 pixels"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG images"),
        (b"", "The file is empty"),
    ],
)
def test_a_refused_client_logo_writes_nothing(as_admin, session, world, data, message):
    response = save_client(
        as_admin,
        session,
        world.a.client,
        portal_logo=file(data, "logo.png", "image/png"),
        portal_display_name="Changed",
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    session.refresh(world.a.client)
    assert world.a.client.portal_logo_id is None and world.a.client.portal_display_name is None
    assert logo_count(session) == 0 and logo_events(session) == []
