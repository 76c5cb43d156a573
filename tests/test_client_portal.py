"""The client portal, as the seed specifies it (../shared/seed): model tests for the portal
properties, route tests for access control, admin interface tests for enabling and disabling
access, smoke tests for every route, and isolation between clients."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select
from werkzeug.routing import Rule

from tests.conftest import csrf_token, login, post
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_invoice,
    make_no_access_user,
    make_portal_user,
    make_project,
    make_user,
)
from tests.quotes.conftest import make_quote
from tests.sharing.conftest import add_document
from timetracker.extensions import limiter
from timetracker.models import (
    Comment,
    InvoiceStatus,
    ProjectStatus,
    QuoteStatus,
    Settings,
    User,
)
from timetracker.sharing.operations import remove_document

PORTAL_PAGES = [
    "/client-portal",
    "/client-portal/dashboard",
    "/client-portal/projects",
    "/client-portal/invoices",
    "/client-portal/invoices?status=all",
    "/client-portal/invoices?status=paid",
    "/client-portal/invoices?status=unpaid",
    "/client-portal/invoices?status=overdue",
    "/client-portal/time-entries",
]


def portal_rules(app) -> list[str]:
    return sorted(
        rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/client-portal")
    )


@pytest.fixture
def world(app, session):
    """Two clients, each with a portal user, projects, entries and invoices in every state,
    comments and shared documents (one of them removed)."""
    session.merge(Settings(id=1, clients_may_upload=True))

    def build(name: str, currency: str = "EUR"):
        client = make_client(session, name=name, currency=currency)
        active = make_project(session, client, name=f"{name} Website", budget_hours=Decimal("10"))
        archived = make_project(
            session, client, name=f"{name} Archive", status=ProjectStatus.ARCHIVED
        )
        staff = make_user(session, name=f"{name} Worker")
        entries = [
            make_entry(
                session,
                active,
                staff,
                start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
                minutes=90,
                notes=f"{name} design work",
            ),
            make_entry(
                session,
                archived,
                staff,
                start=dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC),
                minutes=30,
                notes=f"{name} old work",
            ),
        ]
        running = make_entry(
            session,
            active,
            make_user(session),
            minutes=None,
            start=dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC),
            notes="running",
        )
        invoices = {
            "draft": make_invoice(
                session,
                client,
                status=InvoiceStatus.DRAFT,
                number=f"{name}-DRAFT",
                items=[(f"{name} draft item", "1", "111.11")],
            ),
            "sent": make_invoice(
                session,
                client,
                status=InvoiceStatus.SENT,
                number=f"{name}-SENT",
                due_date=dt.date(2099, 1, 1),
            ),
            "overdue": make_invoice(
                session,
                client,
                status=InvoiceStatus.SENT,
                number=f"{name}-OVERDUE",
                due_date=dt.date(2026, 1, 15),
                paid="100.00",
            ),
            "paid": make_invoice(
                session, client, status=InvoiceStatus.PAID, number=f"{name}-PAID", paid="1200.00"
            ),
            "cancelled": make_invoice(
                session, client, status=InvoiceStatus.CANCELLED, number=f"{name}-CANCELLED"
            ),
        }
        user = make_portal_user(session, client, email=f"portal@{name.lower()}.example")
        quotes = {
            status: make_quote(
                session, client, status=status, number=f"{name}-QUOTE-{status.upper()}",
                answered_by=user,
            )
            for status in (QuoteStatus.DRAFT, QuoteStatus.SENT, QuoteStatus.ACCEPTED)
        }  # fmt: skip
        comments = [
            Comment(project_id=p.id, author_id=user.id, author_name=user.name, body=f"{name} asks")
            for p in (active, archived)
        ]
        session.add_all(comments)
        session.flush()
        document, versions = add_document(app, session, client, staff, project=active)
        removed, removed_versions = add_document(app, session, client, staff, title="Gone")
        remove_document(removed)
        return {
            "quotes": quotes,
            "comments": comments,
            "documents": {"shared": (document, versions), "removed": (removed, removed_versions)},
            "client": client,
            "projects": [active, archived],
            "entries": entries,
            "running": running,
            "invoices": invoices,
            "user": user,
        }

    a = build("Alpha")
    b = build("Bravo")
    session.commit()
    return a, b


# Model tests ---------------------------------------------------------------------------------


#: The portal's deliberate writes (POST), each tested on its own (tests/payments/, tests/quotes/).
PORTAL_ACTIONS = {
    "/client-portal/invoices/<int:invoice_id>/payment-sent",
    "/client-portal/quotes/<int:quote_id>/accept",
    "/client-portal/quotes/<int:quote_id>/decline",
    "/client-portal/projects/<int:project_id>/comments",
    "/client-portal/projects/<int:project_id>/comments/<int:comment_id>/edit",
    "/client-portal/projects/<int:project_id>/comments/<int:comment_id>/delete",
    "/client-portal/projects/<int:project_id>/documents",
}
#: The forms on portal pages that post to them.
PORTAL_ACTION_FORMS = [
    r'action="/client-portal/invoices/\d+/payment-sent"',
    r"action=\"/client-portal/quotes/\d+/(?:accept|decline)\"",
    r'action="/client-portal/projects/\d+/comments(?:/\d+/(?:edit|delete))?"',
    r'action="/client-portal/projects/\d+/documents"',
]


class TestModel:
    def test_is_client_portal_user_needs_flag_and_client(self, session):
        client = make_client(session)
        assert make_portal_user(session, client).is_client_portal_user is True
        # Half-set states: the database refuses to store them (role CHECK constraints).
        assert User(client_id=client.id).is_client_portal_user is False
        assert User(client_portal_enabled=True).is_client_portal_user is False
        assert make_user(session).is_client_portal_user is False
        assert make_no_access_user(session).is_client_portal_user is False

    def test_portal_fields_default_off(self, session):
        user = make_user(session)
        session.expire(user)
        assert user.client_portal_enabled is False
        assert user.client_id is None

    def test_get_client_portal_data_returns_the_clients_visible_data(self, ctx, world):
        a, _b = world
        data = a["user"].get_client_portal_data()
        assert set(data) == {"client", "projects", "invoices", "time_entries"}
        assert data["client"].id == a["client"].id
        assert [p.name for p in data["projects"]] == ["Alpha Website"]
        numbers = {i.number for i in data["invoices"]}
        assert numbers == {"Alpha-SENT", "Alpha-OVERDUE", "Alpha-PAID", "Alpha-CANCELLED"}
        # Completed entries of all the client's projects, archived ones included.
        assert {e.id for e in data["time_entries"]} == {e.id for e in a["entries"]}

    def test_get_client_portal_data_is_none_without_access(self, ctx, session):
        client = make_client(session)
        assert make_user(session).get_client_portal_data() is None
        assert make_no_access_user(session).get_client_portal_data() is None
        assert User(client_portal_enabled=True).get_client_portal_data() is None
        assert User(client_id=client.id).get_client_portal_data() is None

    def test_deleting_the_client_unlinks_portal_users(self, session):
        client = make_client(session)
        user = make_portal_user(session, client)
        session.delete(client)
        session.flush()
        session.expire(user)
        assert user.client_id is None
        assert user.is_client_portal_user is False


# Access control ------------------------------------------------------------------------------


class TestAccessControl:
    @pytest.mark.parametrize("path", PORTAL_PAGES)
    def test_anonymous_is_sent_to_login(self, client, path):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]

    @pytest.mark.parametrize(
        ("setup", "reason"),
        [
            ("staff", "does not have client portal access"),
            ("admin", "does not have client portal access"),
            ("flag_off", "has no access"),
            ("inactive_client", "no longer active"),
            ("inactive_user", "deactivated"),
        ],
    )
    def test_users_without_portal_access_get_403_with_the_reason(
        self, client, session, setup, reason
    ):
        the_client = make_client(session)
        user = {
            "staff": lambda: make_user(session),
            "admin": lambda: make_admin(session),
            # Unticking "Enable Client Portal" leaves an account without access (set below,
            # once signed in: the live session must be refused too).
            "flag_off": lambda: make_user(session),
            "inactive_client": lambda: make_portal_user(session, the_client),
            "inactive_user": lambda: make_portal_user(session, the_client),
        }[setup]()
        session.commit()
        assert login(client, user.email).status_code == 302
        if setup == "flag_off":
            user.role = "none"
        if setup == "inactive_user":
            user.is_active = False
        if setup == "inactive_client":
            the_client.is_active = False
        session.commit()
        for path in PORTAL_PAGES:
            response = client.get(path)
            assert response.status_code == 403, path
            assert reason in response.get_data(as_text=True)

    def test_inactive_user_cannot_log_in(self, client, session):
        user = make_portal_user(session, make_client(session), is_active=False)
        session.commit()
        response = login(client, user.email)
        assert response.status_code == 400
        assert "Wrong email or password" in response.get_data(as_text=True)

    def test_portal_user_lands_on_the_portal_after_login(self, client, world):
        a, _ = world
        response = login(client, a["user"].email)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/client-portal")
        assert client.get("/").headers["Location"].startswith("/client-portal")

    def test_portal_user_gets_403_on_every_internal_route(self, app, client, world):
        a, _ = world
        login(client, a["user"].email)
        internal = [
            rule
            for rule in app.url_map.iter_rules()
            # The portal, and the person's own account pages (password, sessions, two-factor;
            # what each answers a contact is in tests/auth/test_route_matrix.py).
            if not rule.rule.startswith(("/client-portal", "/static", "/account", "/login"))
            and rule.endpoint not in {"auth.logout", "auth.index"}
            # the API (a bearer token, never the cookie: 401) and the calendar feed (by secret)
            and not rule.rule.startswith(("/api/", "/calendar/"))
            # public checks, and the emailed links' pages
            and not rule.endpoint.startswith(("bench", "health.", "monitoring.", "recovery."))
        ]
        assert internal, "no internal routes found"
        token = csrf_token(client, "/account")
        for rule in internal:
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", "1", rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = None if method == "GET" else {"csrf_token": token}
                response = client.open(path, method=method, data=data)
                assert response.status_code == 403, (method, path, response.status_code)

    def test_portal_user_can_open_own_account_page(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        assert client.get("/account").status_code == 200

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
    def test_portal_is_read_only_but_for_its_declared_actions(self, app, client, world, method):
        a, _ = world
        login(client, a["user"].email)
        invoice_id = a["invoices"]["sent"].id
        for rule in portal_rules(app):
            if method == "POST" and rule in PORTAL_ACTIONS:
                continue  # its own tests: CSRF, limits, idempotency, audit, isolation
            path = re.sub(r"<int:[a-z_]+>", str(invoice_id), rule)
            response = client.open(path, method=method)
            assert response.status_code == 405, (method, path)

    def test_portal_pages_render_no_forms_that_change_data(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        for path in PORTAL_PAGES + [f"/client-portal/invoices/{a['invoices']['sent'].id}"]:
            html = client.get(path).get_data(as_text=True)
            forms = re.findall(r"<form[^>]*>", html)
            changing = [
                f
                for f in forms
                if 'method="post"' in f
                and "/logout" not in f
                and not any(re.search(action, f) for action in PORTAL_ACTION_FORMS)
            ]
            assert changing == [], (path, changing)

    def test_head_and_options_are_allowed(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        assert client.head("/client-portal/invoices").status_code == 200
        assert client.options("/client-portal/invoices").status_code == 200


# Admin interface -----------------------------------------------------------------------------


class TestAdminInterface:
    def _edit(self, client, user, **fields):
        data = {
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "is_active": "y",
            "client_id": "",
        }
        data.update(fields)
        return post(client, f"/admin/users/{user.id}/edit", data)

    def test_edit_form_has_the_client_portal_section(self, client, session):
        admin = make_admin(session)
        make_client(session, name="Visible Active")
        make_client(session, name="Hidden Inactive", is_active=False)
        user = make_user(session)
        session.commit()
        login(client, admin.email)
        html = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
        assert "Client Portal Access" in html
        assert "Enable Client Portal" in html
        assert 'for="client_id">Client<' in html
        assert "Visible Active" in html
        assert "Hidden Inactive" not in html
        assert ">Save<" in html

    def test_enabling_portal_access_shows_the_badge_with_client_name(self, client, session):
        admin = make_admin(session)
        the_client = make_client(session, name="Badge & Co")
        user = make_user(session)
        session.commit()
        login(client, admin.email)
        response = self._edit(client, user, client_portal_enabled="y", client_id=str(the_client.id))
        assert response.status_code == 302
        session.refresh(user)
        assert user.client_portal_enabled is True
        assert user.client_id == the_client.id
        html = client.get("/admin/users").get_data(as_text=True)
        assert "Portal: Badge &amp; Co" in html

    def test_enabling_without_a_client_is_refused_and_nothing_saved(self, client, session):
        admin = make_admin(session)
        user = make_user(session, name="Unchanged Name")
        session.commit()
        login(client, admin.email)
        response = self._edit(client, user, name="Changed Name", client_portal_enabled="y")
        assert response.status_code == 400
        assert "Select a client to enable client portal access." in response.get_data(as_text=True)
        session.expire_all()
        fresh = session.scalar(select(User).where(User.id == user.id))
        assert fresh.name == "Unchanged Name"
        assert fresh.client_portal_enabled is False

    @pytest.mark.parametrize("bad", ["inactive", "missing", "letters"])
    def test_enabling_with_an_invalid_client_is_refused(self, client, session, bad):
        admin = make_admin(session)
        inactive = make_client(session, is_active=False)
        user = make_user(session)
        session.commit()
        login(client, admin.email)
        client_id = {"inactive": str(inactive.id), "missing": "999999", "letters": "abc"}[bad]
        response = self._edit(client, user, client_portal_enabled="y", client_id=client_id)
        assert response.status_code == 400
        session.expire_all()
        assert session.get(User, user.id).client_portal_enabled is False

    def test_disabling_portal_access_removes_badge_and_access(self, client, session):
        admin = make_admin(session)
        the_client = make_client(session)
        user = make_portal_user(session, the_client)
        session.commit()
        login(client, admin.email)
        assert self._edit(client, user).status_code == 302
        session.expire_all()
        fresh = session.get(User, user.id)
        assert fresh.client_portal_enabled is False
        assert fresh.client_id is None
        assert fresh.role == "none"  # no portal, and nothing else either
        assert 'data-testid="portal-badge"' not in client.get("/admin/users").get_data(as_text=True)

    def test_staff_and_portal_users_cannot_open_user_admin(self, app, session):
        staff = make_user(session)
        portal = make_portal_user(session, make_client(session))
        session.commit()
        for user in (staff, portal):
            client = app.test_client()
            login(client, user.email)
            assert client.get("/admin/users").status_code == 403
            assert client.get(f"/admin/users/{user.id}/edit").status_code == 403


# Smoke tests and behaviour of each page ------------------------------------------------------


class TestPages:
    @pytest.mark.parametrize("path", PORTAL_PAGES)
    def test_every_page_renders(self, client, world, path):
        a, _ = world
        login(client, a["user"].email)
        response = client.get(path)
        assert response.status_code == 200
        assert "Alpha" in response.get_data(as_text=True)

    @time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
    def test_dashboard_statistics(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        html = client.get("/client-portal/dashboard").get_data(as_text=True)
        stat = dict(re.findall(r'data-stat="([a-z-]+)">([^<]+)<', html))
        assert stat["active-projects"] == "1"
        assert stat["hours-month"] == "1.50"
        assert "2.00 hours in total" in html
        # Unpaid: SENT (1200.00) + OVERDUE (1200.00 - 100.00 paid).
        assert stat["outstanding"] == "€2,300.00"
        assert stat["overdue"] == "€1,100.00"
        assert "Alpha-DRAFT" not in html

    def test_projects_page_lists_active_projects_with_hours_amount_and_budget(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        html = client.get("/client-portal/projects").get_data(as_text=True)
        assert "Alpha Website" in html
        assert "Alpha Archive" not in html
        assert "1.50 of 10.00 hours" in html  # 15% of the hours budget
        assert 'aria-valuenow="15"' in html
        assert "€150.00" in html  # 1.5 h at the client's 100.00 rate

    @time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            ("all", {"Alpha-SENT", "Alpha-OVERDUE", "Alpha-PAID", "Alpha-CANCELLED"}),
            (None, {"Alpha-SENT", "Alpha-OVERDUE", "Alpha-PAID", "Alpha-CANCELLED"}),
            ("paid", {"Alpha-PAID"}),
            ("unpaid", {"Alpha-SENT", "Alpha-OVERDUE"}),
            ("overdue", {"Alpha-OVERDUE"}),
        ],
    )
    def test_invoice_filters(self, client, world, status, expected):
        a, _ = world
        login(client, a["user"].email)
        path = "/client-portal/invoices" + (f"?status={status}" if status else "")
        html = client.get(path).get_data(as_text=True)
        shown = set(re.findall(r">(Alpha-[A-Z]+)</a>", html))
        assert shown == expected

    def test_overdue_follows_the_clock_in_the_firms_timezone(self, app, client, session):
        the_client = make_client(session)
        make_invoice(session, the_client, number="DUE-TODAY", due_date=dt.date(2026, 3, 20))
        user = make_portal_user(session, the_client)
        session.commit()
        with time_machine.travel(dt.datetime(2026, 3, 20, 23, 30, tzinfo=dt.UTC), tick=False):
            login(client, user.email)
            assert "DUE-TODAY" not in client.get("/client-portal/invoices?status=overdue").get_data(
                as_text=True
            )
        with time_machine.travel(dt.datetime(2026, 3, 21, 0, 30, tzinfo=dt.UTC), tick=False):
            client = app.test_client()
            login(client, user.email)
            assert "DUE-TODAY" in client.get("/client-portal/invoices?status=overdue").get_data(
                as_text=True
            )

    def test_invoice_detail_shows_items_totals_payments_and_balance(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        invoice = a["invoices"]["overdue"]
        html = client.get(f"/client-portal/invoices/{invoice.id}").get_data(as_text=True)
        assert "Alpha-OVERDUE" in html
        assert "Consulting" in html
        assert "€1,000.00" in html  # subtotal
        assert "€200.00" in html  # tax at 20%
        assert "€1,200.00" in html  # total
        assert "€100.00" in html  # paid
        assert "€1,100.00" in html  # balance
        assert "Overdue" in html
        assert "01/15/2026" in html  # the firm's one date format (en_US)

    def test_time_entries_include_archived_projects_with_person_and_notes(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        html = client.get("/client-portal/time-entries").get_data(as_text=True)
        assert "Alpha design work" in html
        assert "Alpha old work" in html
        assert "Alpha Worker" in html
        assert "running" not in html  # a running timer is not a completed entry
        assert "Alpha Archive (archived)" in html  # the filter lists archived projects
        assert "<strong>2</strong> entries" in html
        assert "<strong>2.00</strong> hours" in html

    def test_time_entries_filter_by_project_and_dates(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        archived = a["projects"][1]
        html = client.get(f"/client-portal/time-entries?project_id={archived.id}").get_data(
            as_text=True
        )
        assert "Alpha old work" in html and "Alpha design work" not in html
        html = client.get(
            "/client-portal/time-entries?date_from=2026-03-02&date_to=2026-03-02"
        ).get_data(as_text=True)
        assert "Alpha design work" in html and "Alpha old work" not in html
        html = client.get("/client-portal/time-entries?date_from=2026-03-03").get_data(as_text=True)
        assert "No time entries match these filters." in html

    def test_date_range_is_inclusive_in_the_firms_timezone(self, client, session):
        from timetracker.models import Settings

        settings = session.get(Settings, 1) or Settings(id=1)
        settings.timezone = "America/New_York"
        session.add(settings)
        the_client = make_client(session)
        project = make_project(session, the_client)
        # 02:00 UTC on 3 March is still 2 March in New York.
        make_entry(
            session, project, start=dt.datetime(2026, 3, 3, 2, tzinfo=dt.UTC), notes="late evening"
        )
        user = make_portal_user(session, the_client)
        session.commit()
        login(client, user.email)
        html = client.get(
            "/client-portal/time-entries?date_from=2026-03-02&date_to=2026-03-02"
        ).get_data(as_text=True)
        assert "late evening" in html
        html = client.get("/client-portal/time-entries?date_from=2026-03-03").get_data(as_text=True)
        assert "late evening" not in html

    def test_lists_are_paginated_with_totals_over_the_whole_set(self, app, client, session):
        the_client = make_client(session)
        project = make_project(session, the_client)
        worker = make_user(session)
        start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
        for i in range(120):
            make_entry(
                session,
                project,
                worker,
                start=start + dt.timedelta(hours=i),
                minutes=30,
                notes=f"entry-{i:03d}",
            )
        user = make_portal_user(session, the_client)
        session.commit()
        login(client, user.email)
        pages = [
            client.get(f"/client-portal/time-entries?page={n}").get_data(as_text=True)
            for n in (1, 2, 3)
        ]
        seen = [re.findall(r"entry-(\d{3})", html) for html in pages]
        assert [len(s) for s in seen] == [50, 50, 20]
        flat = [int(x) for s in seen for x in s]
        assert flat == list(range(119, -1, -1))  # newest first, nothing lost or repeated
        for html in pages:
            assert "<strong>120</strong> entries" in html
            assert "<strong>60.00</strong> hours" in html
            assert "120 in all" in html
        # A page past the end shows the last page.
        last = client.get("/client-portal/time-entries?page=99").get_data(as_text=True)
        assert re.findall(r"entry-(\d{3})", last) == seen[2]


# Bad input -----------------------------------------------------------------------------------


class TestBadInput:
    @pytest.mark.parametrize(
        ("path", "message"),
        [
            ("/client-portal/invoices?status=bogus", "all, paid, unpaid, overdue"),
            ("/client-portal/invoices?status=paid&status=all", "more than once"),
            ("/client-portal/invoices?page=0", "whole number"),
            ("/client-portal/invoices?page=abc", "whole number"),
            ("/client-portal/projects?page=-1", "whole number"),
            ("/client-portal/time-entries?date_from=2026-02-30", "not a real calendar date"),
            ("/client-portal/time-entries?date_from=31.01.2026", "YYYY-MM-DD"),
            ("/client-portal/time-entries?date_to=2026-1-5", "YYYY-MM-DD"),
            ("/client-portal/time-entries?date_from=2026-03-02&date_to=2026-03-01", "on or before"),
            ("/client-portal/time-entries?project_id=abc", "project_id"),
            ("/client-portal/time-entries?project_id=-3", "project_id"),
            ("/client-portal/time-entries?project_id=99999999999999999999", "project_id"),
        ],
    )
    def test_bad_parameters_give_400_naming_what_is_allowed(self, client, world, path, message):
        a, _ = world
        login(client, a["user"].email)
        response = client.get(path)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)

    def test_unknown_project_filter_is_404(self, client, world):
        a, _ = world
        login(client, a["user"].email)
        assert client.get("/client-portal/time-entries?project_id=999999").status_code == 404


# Isolation -----------------------------------------------------------------------------------


def same_page(response) -> bytes:
    """The body without the CSRF token of the logout form, which is signed with the current
    time and so differs between any two requests, even of the same URL."""
    return re.sub(rb'name="csrf_token" value="[^"]+"', b'name="csrf_token"', response.get_data())


def _other_client_markers(other) -> list[str]:
    markers = [other["client"].name, other["user"].name]
    markers += [p.name for p in other["projects"]]
    markers += [inv.number for inv in other["invoices"].values()]
    markers += [e.notes for e in other["entries"]]
    return markers


class TestIsolation:
    def test_every_portal_url_with_every_id_of_the_other_client_is_a_404(
        self, app, client, session, world, monkeypatch
    ):
        monkeypatch.setattr(limiter, "enabled", False)  # more answers than a minute allows
        a, b = world
        login(client, a["user"].email)
        missing = client.get("/client-portal/invoices/987654321")
        assert missing.status_code == 404
        token = csrf_token(client, "/client-portal/invoices")
        # Every id argument a portal route takes, with every id that must stay invisible.
        b_documents = [d for d, _versions in b["documents"].values()]
        b_versions = [v for _d, versions in b["documents"].values() for v in versions]
        removed, removed_versions = a["documents"]["removed"]
        hidden_ids = {
            # Another client's invoices in every state, and the client's own draft.
            "invoice_id": [inv.id for inv in b["invoices"].values()] + [a["invoices"]["draft"].id],
            "project_id": [p.id for p in b["projects"]],
            # Another client's quotes in every state, and the client's own draft.
            "quote_id": [q.id for q in b["quotes"].values()] + [a["quotes"]["draft"].id],
            # Another client's comments, and the client's own on another project than the URL's.
            "comment_id": [c.id for c in b["comments"]] + [a["comments"][1].id],
            # Another client's documents and versions, and the client's own removed one.
            "document_id": [d.id for d in b_documents] + [removed.id],
            "version_id": [v.id for v in b_versions] + [v.id for v in removed_versions],
        }
        # The client's own ids, for the other arguments of a route with several.
        own_document, own_versions = a["documents"]["shared"]
        own_ids = {
            "invoice_id": a["invoices"]["sent"].id,
            "project_id": a["projects"][0].id,
            "quote_id": a["quotes"]["sent"].id,
            "comment_id": a["comments"][0].id,
            "document_id": own_document.id,
            "version_id": own_versions[0].id,
        }
        checked = 0
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/client-portal") or not rule.arguments:
                continue
            # A declared action (accepting a quote) is asked with a valid token.
            data = None if "GET" in rule.methods else {"csrf_token": token}
            method = "GET" if data is None else "POST"
            for argument in sorted(rule.arguments):
                assert argument in hidden_ids, f"add the ids to hide for {argument} ({rule.rule})"

                def path_with(value: int, argument: str = argument, rule: Rule = rule) -> str:
                    values = {**own_ids, argument: value}
                    return re.sub(r"<int:([a-z_]+)>", lambda m: str(values[m[1]]), rule.rule)

                reference = client.open(path_with(987654321), method=method, data=data)
                for other_id in hidden_ids[argument]:
                    path = path_with(other_id)
                    response = client.open(path, method=method, data=data)
                    assert response.status_code == reference.status_code == 404, path
                    assert same_page(response) == same_page(reference), path
                    checked += 1
        assert checked >= len(hidden_ids["invoice_id"])

    def test_project_filter_with_the_other_clients_project_is_a_404(self, client, world):
        a, b = world
        login(client, a["user"].email)
        reference = client.get("/client-portal/time-entries?project_id=987654321")
        for project in b["projects"]:
            response = client.get(f"/client-portal/time-entries?project_id={project.id}")
            assert response.status_code == 404
            assert same_page(response) == same_page(reference)

    def test_no_page_shows_anything_of_the_other_client(self, app, client, world):
        a, b = world
        login(client, a["user"].email)
        own_ids = [inv.id for key, inv in a["invoices"].items() if key != "draft"]
        paths = PORTAL_PAGES + [f"/client-portal/invoices/{i}" for i in own_ids]
        paths += [f"/client-portal/time-entries?project_id={p.id}" for p in a["projects"]]
        markers = _other_client_markers(b) + ["Alpha-DRAFT", "Alpha draft item"]
        for path in paths:
            html = client.get(path).get_data(as_text=True)
            for marker in markers:
                assert marker not in html, (path, marker)

    def test_second_client_sees_only_its_own_data_too(self, client, world):
        a, b = world
        login(client, b["user"].email)
        for path in PORTAL_PAGES:
            html = client.get(path).get_data(as_text=True)
            for marker in _other_client_markers(a):
                assert marker not in html, (path, marker)


# Query counts --------------------------------------------------------------------------------


class TestQueryCounts:
    def _counts(self, client, count_queries, paths):
        result = {}
        for path in paths:
            before = count_queries.count
            assert client.get(path).status_code == 200, path
            result[path] = count_queries.count - before
        return result

    def test_queries_per_page_do_not_grow_with_the_data(self, client, session, count_queries):
        the_client = make_client(session)
        user = make_portal_user(session, the_client)
        project = make_project(session, the_client)
        make_entry(session, project)
        invoice = make_invoice(session, the_client)
        session.commit()
        login(client, user.email)
        paths = PORTAL_PAGES + [
            f"/client-portal/invoices/{invoice.id}",
            f"/client-portal/time-entries?project_id={project.id}&date_from=2026-01-01",
        ]
        small = self._counts(client, count_queries, paths)
        for i in range(30):
            p = make_project(session, the_client, budget_hours=Decimal("5"))
            for _ in range(3):
                make_entry(session, p, start=dt.datetime(2026, 2, 1 + i % 27, 9, tzinfo=dt.UTC))
            inv = make_invoice(
                session,
                the_client,
                paid="10.00",
                items=[("a", "1", "10"), ("b", "2", "20"), ("c", "3", "30")],
            )
            assert inv.id
        session.commit()
        large = self._counts(client, count_queries, paths)
        assert large == small
        assert max(large.values()) <= 10, large
