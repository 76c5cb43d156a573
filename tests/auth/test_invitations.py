"""Invitations: Admin → Users → "Invite client contact", the emailed link (7 days, single use,
stored hashed) with which the person sets a password and lands in the portal, the list of
pending invitations with resend and revoke, and a new link for an expired invitation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import func, select

from tests.conftest import CSRF_RE, csrf_token, login, post
from tests.factories import (
    PASSWORD,
    make_admin,
    make_client,
    make_invoice,
    make_portal_user,
    make_user,
)
from timetracker.audit import Kind
from timetracker.auth import invitations_service, passwords, tokens
from timetracker.auth.invitations_service import INVITED_PASSWORD_HASH
from timetracker.models import AuditEvent, InvoiceStatus, Role, TokenPurpose, User, UserToken

NEW_PASSWORD = "portal-password-42"
LINK_RE = re.compile(r"https://tt\.example\.com(/invitation/[A-Za-z0-9_-]+)")
RENEWED = "If an invitation is waiting for this address, we have sent a new link."


@pytest.fixture
def inline(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture
def firm(app, session):
    admin = make_admin(session, name="Ada Admin", email="ada@firm.example")
    acme = make_client(session, name="Acme Corp")
    idle = make_client(session, name="Idle Ltd", is_active=False)
    session.commit()
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    return {"admin": admin, "acme": acme, "idle": idle, "browser": client}


def signed_in_admin(app, firm):
    """A new administrator's browser (after the clock moved on, the first one's session may
    have ended)."""
    browser = app.test_client()
    assert login(browser, firm["admin"].email).status_code == 302
    return browser


def invite(browser, client_id, name="Ines Invitee", email="ines@acme.example"):
    return post(
        browser,
        "/admin/invitations/new",
        {"name": name, "email": email, "client_id": str(client_id)},
    )


def invitee(session, email="ines@acme.example") -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.email == email)).one()


def invitations_in(smtp_server, to=None) -> list:
    """The invitation emails the SMTP server received (other account emails, such as a
    sign-in from a new browser, are left out), to ``to`` if given."""
    return [
        m
        for m in smtp_server.messages
        if "invites you" in m["Subject"] and (to is None or m["To"].addresses[0].addr_spec == to)
    ]


def link_in(message) -> str:
    """The invitation link of an email, which both parts carry; its path."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    found = LINK_RE.findall(text)
    assert found, text
    assert f'href="https://tt.example.com{found[0]}"' in html
    return found[0]


def shown_link(response) -> str:
    """The link shown to the administrator when mail is off; its path."""
    match = re.search(r'value="http://localhost(/invitation/[A-Za-z0-9_-]+)"', response.text)
    assert match, response.text
    return match.group(1)


def accept(client, path, password=NEW_PASSWORD, confirm=None):
    token = csrf_token(client, "/invitation/renew")
    data = {"new_password": password, "confirm": confirm or password, "csrf_token": token}
    return client.post(path, data=data)


def events(session, kind, user=None):
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.kind == kind)
    if user is not None:
        query = query.where(AuditEvent.subject_id == user.id)
    return session.scalars(query.order_by(AuditEvent.id)).all()


def open_invitations(session, user) -> list[UserToken]:
    session.expire_all()
    return session.scalars(
        select(UserToken).where(
            UserToken.user_id == user.id,
            UserToken.purpose == TokenPurpose.INVITATION,
            UserToken.used_at.is_(None),
            UserToken.revoked_at.is_(None),
        )
    ).all()


def action(browser, verb, user, token_id):
    return post(
        browser,
        f"/admin/invitations/{user.id}/{verb}",
        {"invitation": str(token_id)},
        token_from="/admin/invitations",
    )


# Inviting ---------------------------------------------------------------------------------------


def test_the_users_page_offers_to_invite_and_the_form_lists_active_clients(firm):
    users = firm["browser"].get("/admin/users").text
    assert 'href="/admin/invitations/new"' in users and "Invite client contact" in users
    form = firm["browser"].get("/admin/invitations/new")
    assert form.status_code == 200
    assert f'value="{firm["acme"].id}"' in form.text
    assert f'value="{firm["idle"].id}"' not in form.text
    for label in ("Name", "Email", "Client"):
        assert f">{label}</label>" in form.text


def test_an_invitation_creates_a_contact_without_a_password_and_emails_the_link(
    firm, session, smtp_server, inline
):
    response = invite(firm["browser"], firm["acme"].id, email="Ines@Acme.example")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/invitations"
    person = invitee(session)
    assert person.name == "Ines Invitee" and person.is_active
    assert person.role == Role.CLIENT and person.client_id == firm["acme"].id
    assert person.password_hash == INVITED_PASSWORD_HASH
    [token] = open_invitations(session, person)
    assert token.created_by_id == firm["admin"].id
    assert token.expires_at - token.created_at == dt.timedelta(days=7)

    [message] = invitations_in(smtp_server)
    assert [a.addr_spec for a in message["To"].addresses] == ["ines@acme.example"]
    path = link_in(message)
    assert tokens.token_hash(path.rsplit("/", 1)[1]) == token.token_hash
    expiry = token.expires_at.strftime("%H:%M")
    for part in (message.get_body(("plain",)), message.get_body(("html",))):
        assert expiry in part.get_content() and "Acme Corp" in part.get_content()

    for kind in (Kind.INVITATION_SENT, Kind.PORTAL_ACCESS_GRANTED):
        [event] = events(session, kind, person)
        assert event.actor_id == firm["admin"].id and event.client_id == firm["acme"].id
    listing = firm["browser"].get("/admin/invitations").text
    assert "Invitation sent to Ines Invitee (ines@acme.example)." in listing


def test_an_invited_person_cannot_log_in_before_setting_a_password(app, firm):
    invite(firm["browser"], firm["acme"].id)
    for guess in (INVITED_PASSWORD_HASH, "", "invited", PASSWORD):
        assert not passwords.verify_password(INVITED_PASSWORD_HASH, guess)
        if guess:
            assert login(app.test_client(), "ines@acme.example", guess).status_code == 400


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "ADA@firm.example"}, "An account with this email address exists already."),
        ({"client_id": "idle"}, "Choose an active client from the list."),
        ({"client_id": "987654"}, "Choose an active client from the list."),
        ({"client_id": "٣"}, "Choose an active client from the list."),
        ({"client_id": ""}, "Choose an active client from the list."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"name": ""}, "Enter the person&#39;s name."),
    ],
)
def test_a_refused_invitation_says_why_and_writes_nothing(firm, session, fields, message):
    data = {"name": "Ines Invitee", "email": "ines@acme.example", "client_id": firm["acme"].id}
    data.update(fields)
    if data["client_id"] == "idle":
        data["client_id"] = firm["idle"].id
    users = session.scalar(select(func.count(User.id)))
    audited = session.scalar(select(func.count(AuditEvent.id)))
    response = post(firm["browser"], "/admin/invitations/new", data)
    assert response.status_code == 400
    assert message in response.text
    assert session.scalar(select(func.count(User.id))) == users
    assert session.scalar(select(func.count(AuditEvent.id))) == audited


def test_with_mail_off_the_link_is_shown_once_to_the_administrator(firm, session):
    response = invite(firm["browser"], firm["acme"].id)
    assert response.status_code == 200
    assert "Email is not configured on this server" in response.text
    path = shown_link(response)
    [token] = open_invitations(session, invitee(session))
    assert tokens.token_hash(path.rsplit("/", 1)[1]) == token.token_hash
    listing = firm["browser"].get("/admin/invitations").text
    assert path not in listing and "Ines Invitee" in listing
    assert firm["browser"].get(path).status_code == 200


# Accepting --------------------------------------------------------------------------------------


def test_the_person_sets_a_password_and_lands_in_the_portal(app, firm, session):
    path = shown_link(invite(firm["browser"], firm["acme"].id))
    person = invitee(session)
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200
    assert "Set your password" in page.text
    for shown in ("Ines Invitee", "ines@acme.example", "Acme Corp"):
        assert shown in page.text

    done = accept(browser, path)
    assert done.status_code == 302
    assert done.headers["Location"] in ("/client-portal", "/client-portal/dashboard")
    assert browser.get(done.headers["Location"]).status_code == 200
    assert login(app.test_client(), person.email, NEW_PASSWORD).status_code == 302
    [accepted] = events(session, Kind.INVITATION_ACCEPTED)
    assert accepted.actor_id == person.id and accepted.client_id == firm["acme"].id
    assert open_invitations(session, person) == []
    listing = firm["browser"].get("/admin/invitations").text
    assert "ines@acme.example" not in listing

    again = accept(app.test_client(), path, "another-password-1")
    assert again.status_code == 410
    assert "This link has already been used" in again.text
    assert login(app.test_client(), person.email, NEW_PASSWORD).status_code == 302


def test_two_submissions_of_one_link_accept_once(app, ctx):
    acme = make_client(ctx)
    person = make_portal_user(ctx, acme, password_hash=INVITED_PASSWORD_HASH)
    raw = tokens.issue(ctx, person, TokenPurpose.INVITATION)
    checked = tokens.check(ctx, raw, TokenPurpose.INVITATION)
    with app.test_request_context(method="POST"):  # as the form posts it
        assert invitations_service.accept(ctx, checked, "first-password-1") is person
        first = person.password_hash
        assert invitations_service.accept(ctx, checked, "second-password-2") is None
    assert person.password_hash == first
    assert len(events(ctx, Kind.INVITATION_ACCEPTED)) == 1


def test_the_new_password_must_be_acceptable(app, firm, session):
    path = shown_link(invite(firm["browser"], firm["acme"].id))
    browser = app.test_client()
    short = accept(browser, path, "short")
    assert short.status_code == 400 and "at least 8 characters" in short.text
    differ = accept(browser, path, NEW_PASSWORD, confirm="not-the-same-1")
    assert differ.status_code == 400 and "The two passwords differ." in differ.text
    assert len(open_invitations(session, invitee(session))) == 1
    missing_csrf = browser.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert missing_csrf.status_code == 400 and "CSRF" in missing_csrf.text
    assert invitee(session).password_hash == INVITED_PASSWORD_HASH


def test_the_link_works_for_exactly_seven_days(app, firm, session):
    start = dt.datetime.now(dt.UTC)
    browser = app.test_client()
    with time_machine.travel(start, tick=False) as clock:
        path = shown_link(invite(signed_in_admin(app, firm), firm["acme"].id))
        clock.move_to(start + dt.timedelta(days=7) - dt.timedelta(seconds=1))
        assert browser.get(path).status_code == 200
        clock.move_to(start + dt.timedelta(days=7))
        expired = browser.get(path)
        assert expired.status_code == 410
        assert "This link has expired" in expired.text
        assert 'href="/invitation/renew"' in expired.text
        assert accept(browser, path).status_code == 410
        listing = signed_in_admin(app, firm).get("/admin/invitations").text
        assert 'data-testid="expired"' in listing
    assert invitee(session).password_hash == INVITED_PASSWORD_HASH


def test_tampered_links_are_unknown(app, firm, session):
    path = shown_link(invite(firm["browser"], firm["acme"].id))
    raw = path.rsplit("/", 1)[1]
    browser = app.test_client()
    reset = tokens.issue(session, invitee(session), TokenPurpose.PASSWORD_RESET)
    session.commit()
    changed = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    for bad in (changed, raw[:-1], raw + "x" * 200, raw[:-1] + "é", "ü" * 43, reset, "short"):
        response = browser.get(f"/invitation/{bad}")
        assert response.status_code == 404, bad
        assert "This link is not valid" in response.text
        assert accept(browser, f"/invitation/{bad}").status_code == 404
    assert browser.get(path).status_code == 200


def test_a_contact_of_a_client_deactivated_since_cannot_use_the_link(app, firm, session):
    path = shown_link(invite(firm["browser"], firm["acme"].id))
    firm["acme"].is_active = False
    session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 403
    assert "This link no longer works" in response.text
    assert "no longer active" in response.text


# The list, resend and revoke --------------------------------------------------------------------


def test_pending_invitations_are_listed_and_paginated(app, firm, session, monkeypatch):
    for n in range(3):
        invite(firm["browser"], firm["acme"].id, name=f"Person {n}", email=f"p{n}@acme.example")
    listing = firm["browser"].get("/admin/invitations")
    assert listing.status_code == 200
    row = re.search(r"<tr data-invitation-id.*?</tr>", listing.text, re.S).group(0)
    for shown in ("Person 2", "p2@acme.example", "Acme Corp", "Ada Admin"):
        assert shown in row
    assert "Resend" in row and "Revoke" in row
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    second = firm["browser"].get("/admin/invitations?page=2").text
    assert "Person 0" in second and "Person 2" not in second
    assert firm["browser"].get("/admin/invitations?page=x").status_code == 400


def test_resending_kills_the_old_link_and_sends_a_new_one(app, firm, session, smtp_server, inline):
    invite(firm["browser"], firm["acme"].id)
    person = invitee(session)
    [first] = invitations_in(smtp_server)
    [token] = open_invitations(session, person)

    response = action(firm["browser"], "resend", person, token.id)
    assert response.status_code == 302
    assert len(invitations_in(smtp_server)) == 2
    old, new = link_in(first), link_in(invitations_in(smtp_server)[1])
    assert old != new
    browser = app.test_client()
    assert browser.get(old).status_code == 410
    assert "This link is not valid" in browser.get(old).text
    assert browser.get(new).status_code == 200
    [sent, resent] = events(session, Kind.INVITATION_SENT, person)
    assert resent.detail == "resent" and resent.actor_id == firm["admin"].id

    # The same button again: that invitation is closed, nothing happens twice.
    again = action(firm["browser"], "resend", person, token.id)
    assert again.status_code == 302
    assert "in the meantime" in firm["browser"].get("/admin/invitations").text
    assert len(invitations_in(smtp_server)) == 2
    assert len(events(session, Kind.INVITATION_SENT, person)) == 2
    assert len(open_invitations(session, person)) == 1


def test_resending_with_mail_off_shows_the_new_link(app, firm, session):
    old = shown_link(invite(firm["browser"], firm["acme"].id))
    person = invitee(session)
    [token] = open_invitations(session, person)
    response = action(firm["browser"], "resend", person, token.id)
    assert response.status_code == 200
    new = shown_link(response)
    assert new != old
    assert app.test_client().get(old).status_code == 410
    assert app.test_client().get(new).status_code == 200


def test_revoking_kills_the_link_and_closes_the_account(app, firm, session):
    path = shown_link(invite(firm["browser"], firm["acme"].id))
    person = invitee(session)
    [token] = open_invitations(session, person)
    response = action(firm["browser"], "revoke", person, token.id)
    assert response.status_code == 302
    person = invitee(session)
    assert not person.is_active and person.role == Role.NONE and person.client_id is None
    assert open_invitations(session, person) == []
    dead = app.test_client().get(path)
    assert dead.status_code == 410 and "This link is not valid" in dead.text
    [revoked] = events(session, Kind.INVITATION_REVOKED, person)
    assert revoked.actor_id == firm["admin"].id and revoked.client_id == firm["acme"].id
    [removed] = events(session, Kind.PORTAL_ACCESS_REMOVED, person)
    assert removed.client_id == firm["acme"].id
    assert "ines@acme.example" not in firm["browser"].get("/admin/invitations").text

    again = action(firm["browser"], "revoke", person, token.id)
    assert again.status_code == 302
    assert len(events(session, Kind.INVITATION_REVOKED, person)) == 1


def test_revoking_leaves_an_account_whose_password_was_set_otherwise(firm, session):
    invite(firm["browser"], firm["acme"].id)
    person = invitee(session)
    person.password_hash = passwords.hash_password("set-by-the-admin-1")
    session.commit()
    [token] = open_invitations(session, person)
    assert action(firm["browser"], "revoke", person, token.id).status_code == 302
    person = invitee(session)
    assert person.is_active and person.role == Role.CLIENT
    assert open_invitations(session, person) == []


def test_actions_on_unknown_or_malformed_invitations(firm, session):
    invite(firm["browser"], firm["acme"].id)
    person = invitee(session)
    [token] = open_invitations(session, person)
    other = firm["admin"]
    for verb in ("resend", "revoke"):
        assert action(firm["browser"], verb, other, token.id).status_code == 404
        assert action(firm["browser"], verb, person, 987654).status_code == 404
        for bad in ("", "x", "٣", "-1", "0"):
            assert action(firm["browser"], verb, person, bad).status_code == 400
        missing_csrf = firm["browser"].post(
            f"/admin/invitations/{person.id}/{verb}", data={"invitation": str(token.id)}
        )
        assert missing_csrf.status_code == 400
    assert len(open_invitations(session, person)) == 1
    assert invitee(session).is_active


def test_a_password_reset_settles_a_pending_invitation(app, firm, session):
    path = shown_link(invite(firm["browser"], firm["acme"].id))
    person = invitee(session)
    raw = tokens.issue(session, person, TokenPurpose.PASSWORD_RESET)
    session.commit()
    assert accept(app.test_client(), f"/reset-password/{raw}").status_code == 302
    assert open_invitations(session, person) == []
    assert app.test_client().get(path).status_code == 410


# A new link for an expired invitation -----------------------------------------------------------


def ask_for_new_link(client, email):
    token = csrf_token(client, "/invitation/renew")
    response = client.post("/invitation/renew", data={"email": email, "csrf_token": token})
    response.get_data()
    response.close()  # as a server does once the answer is sent: the email leaves now
    return response


def _without_csrf(text: str) -> str:
    return CSRF_RE.sub("csrf", text)


def test_an_expired_invitation_gets_a_new_link_and_others_the_same_answer(
    app, firm, session, smtp_server, inline
):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        admin = signed_in_admin(app, firm)
        invite(admin, firm["acme"].id)  # expires in 7 days
        invite(admin, firm["acme"].id, name="Done", email="done@acme.example")
        make_user(session, email="staff@firm.example")
        session.commit()
        old = link_in(invitations_in(smtp_server)[0])
        assert accept(app.test_client(), link_in(invitations_in(smtp_server)[1])).status_code == 302
        clock.move_to(start + dt.timedelta(days=2))
        invite(
            signed_in_admin(app, firm), firm["acme"].id, name="Fresh", email="fresh@acme.example"
        )
        clock.move_to(start + dt.timedelta(days=7, minutes=1))
        sent_before = len(invitations_in(smtp_server))

        answers = {}
        for email in (
            "ines@acme.example",
            "fresh@acme.example",
            "done@acme.example",
            "staff@firm.example",
            "nobody@acme.example",
        ):
            response = ask_for_new_link(app.test_client(), email)
            answers[email] = (response.status_code, _without_csrf(response.text))
        assert len(set(answers.values())) == 1, answers
        assert answers["ines@acme.example"][0] == 200
        assert RENEWED in answers["ines@acme.example"][1]

        [renewal] = invitations_in(smtp_server)[sent_before:]
        assert renewal["To"].addresses[0].addr_spec == "ines@acme.example"
        new = link_in(renewal)
        browser = app.test_client()
        assert browser.get(old).status_code == 410
        assert browser.get(new).status_code == 200
        person = invitee(session)
        [token] = open_invitations(session, person)
        assert token.created_by_id == firm["admin"].id  # still the inviter's invitation
        assert events(session, Kind.INVITATION_SENT, person)[-1].detail.startswith("renewed")


def test_asking_for_a_new_link_is_limited_per_address(client, session, frozen_clock):
    for _ in range(5):
        assert ask_for_new_link(client, "someone@acme.example").status_code == 200
    assert ask_for_new_link(client, "someone@acme.example").status_code == 429
    assert ask_for_new_link(client, "someone-else@acme.example").status_code == 200


def test_asking_for_a_new_link_needs_csrf_and_an_address(client, session):
    response = client.post("/invitation/renew", data={"email": "x@acme.example"})
    assert response.status_code == 400 and "CSRF" in response.text
    assert ask_for_new_link(client, "not an address").status_code == 400


# The seed's steps ---------------------------------------------------------------------------


def test_enabling_the_portal_on_a_user_still_works(app, firm, session):
    """Admin → Users → Edit, tick "Enable Client Portal", choose the client, Save."""
    person = make_user(session, name="Casey", email="casey@acme.example")
    session.commit()
    response = post(
        firm["browser"],
        f"/admin/users/{person.id}/edit",
        {
            "name": "Casey",
            "email": "casey@acme.example",
            "role": "staff",
            "is_active": "y",
            "client_portal_enabled": "y",
            "client_id": str(firm["acme"].id),
        },
    )
    assert response.status_code == 302
    person = invitee(session, "casey@acme.example")
    assert person.role == Role.CLIENT and person.client_id == firm["acme"].id
    signed = login(app.test_client(), "casey@acme.example")
    assert signed.headers["Location"] in ("/client-portal", "/client-portal/dashboard")


def test_emails_to_typed_addresses_are_limited_per_administrator(app, firm, session, monkeypatch):
    """Invitations and the invoice dialog's emails count against one limit per person: past
    it the action answers 429 and nothing is created or sent; another administrator is not
    held back."""
    monkeypatch.setitem(app.config, "STAFF_EMAIL_LIMIT", "3 per hour")
    for n in range(3):
        response = invite(firm["browser"], firm["acme"].id, f"Person {n}", f"p{n}@acme.example")
        assert response.status_code == 200, response.text  # mail is off: the link is shown
    refused = invite(firm["browser"], firm["acme"].id, "One Too Many", "many@acme.example")
    assert refused.status_code == 429
    session.expire_all()
    assert session.scalar(select(User.id).where(User.email == "many@acme.example")) is None
    invoice = make_invoice(session, firm["acme"], status=InvoiceStatus.DRAFT)
    session.commit()
    sent = post(
        firm["browser"],
        f"/invoices/{invoice.id}/send/email",
        {"extra": "someone@elsewhere.example", "subject": "Invoice", "key": "k" * 32},
        token_from="/admin/invitations",
    )
    assert sent.status_code == 429
    session.refresh(invoice)
    assert invoice.status == InvoiceStatus.DRAFT
    other = make_admin(session, name="Olga Other", email="olga@firm.example")
    session.commit()
    browser = app.test_client()
    assert login(browser, other.email).status_code == 302
    response = invite(browser, firm["acme"].id, "Still Fine", "fine@acme.example")
    assert response.status_code == 200
