"""Login, logout, CSRF, rate limits, inactive users, password changes."""

from __future__ import annotations

from argon2 import PasswordHasher

from tests.conftest import csrf_token, login, post
from tests.factories import PASSWORD, make_admin, make_user
from timetracker.auth import passwords
from timetracker.models import User


def test_login_and_logout(client, session):
    user = make_user(session)
    session.commit()
    response = login(client, user.email)
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    response = post(client, "/logout", token_from="/account")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_email_is_matched_case_insensitively(client, session):
    user = make_user(session, email="casey@example.com")
    session.commit()
    assert login(client, "  CASEY@Example.com").status_code == 302
    assert user.name in client.get("/dashboard").get_data(as_text=True)


def test_wrong_password_unknown_email_and_inactive_account_look_the_same(client, session):
    user = make_user(session)
    inactive = make_user(session, is_active=False)
    session.commit()
    for email, password in [
        (user.email, "wrong-password"),
        ("nobody@example.com", PASSWORD),
        (inactive.email, PASSWORD),
    ]:
        response = login(client, email, password)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Wrong email or password, or the account is not active." in html
    assert client.get("/dashboard").status_code == 302


def test_login_without_csrf_token_is_refused(client, session):
    user = make_user(session)
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_logout_by_get_only_asks_for_confirmation(client, session):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    page = client.get("/logout")
    assert page.status_code == 200
    assert client.get("/dashboard").status_code == 200


def test_deactivated_user_loses_access_on_the_next_request(client, session):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    assert client.get("/dashboard").status_code == 200
    user.is_active = False
    session.commit()
    response = client.get("/dashboard")
    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_account_and_address(client, session, frozen_clock):
    # frozen_clock (tests/conftest.py): the minute's window cannot end or roll over mid-test.
    # 5 a minute for one account from one address; the other addresses and the account's
    # ceiling are tested in tests/security/test_hardening.py.
    user = make_user(session)
    session.commit()
    statuses = [login(client, user.email, f"wrong-{i}").status_code for i in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    # Even the right password is refused while the limit holds.
    assert login(client, user.email).status_code == 429


def test_login_is_rate_limited_per_ip(app, client, session, frozen_clock):
    # frozen_clock (tests/conftest.py): the minute's window cannot end or roll over mid-test.
    statuses = [login(client, f"nobody{i}@example.com", "x").status_code for i in range(21)]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_rehash_on_login_upgrades_old_hashes(client, session):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = make_user(session, password_hash=weak)
    session.commit()
    assert passwords.needs_rehash(weak)
    assert login(client, user.email).status_code == 302
    session.expire_all()
    fresh = session.get(User, user.id)
    assert fresh.password_hash != weak
    assert not passwords.needs_rehash(fresh.password_hash)
    assert fresh.last_login_at is not None


def test_next_parameter_only_redirects_within_the_site(client, session):
    user = make_user(session)
    session.commit()
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/dashboard"


def test_password_change_requires_current_password_and_ends_other_sessions(app, session):
    user = make_user(session)
    session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, user.email)
    login(second, user.email)
    bad = post(
        first,
        "/account",
        {
            "pw-current_password": "nope",
            "pw-new_password": "new-pass-123",
            "pw-confirm": "new-pass-123",
            "pw-submit": "1",
        },
    )
    assert bad.status_code == 400
    assert "current password is not correct" in bad.get_data(as_text=True)
    short = post(
        first,
        "/account",
        {
            "pw-current_password": PASSWORD,
            "pw-new_password": "short",
            "pw-confirm": "short",
            "pw-submit": "1",
        },
    )
    assert short.status_code == 400
    ok = post(
        first,
        "/account",
        {
            "pw-current_password": PASSWORD,
            "pw-new_password": "new-pass-123",
            "pw-confirm": "new-pass-123",
            "pw-submit": "1",
        },
    )
    assert ok.status_code == 302
    assert first.get("/dashboard").status_code == 200
    assert second.get("/dashboard").status_code == 302  # the other session ended
    fresh = app.test_client()
    assert login(fresh, user.email, "new-pass-123").status_code == 302


def test_admin_lands_on_dashboard_and_sees_admin_link(client, session):
    admin = make_admin(session)
    session.commit()
    login(client, admin.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/users"' in html
