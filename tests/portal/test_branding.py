"""Per-client portal branding: the client form's fieldset, the stylesheet route, the contrast
of text on the accent colour, and the dashboard's name and welcome message."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import post
from tests.portal.conftest import signed_in
from timetracker.portal import branding

CSS = "/client-portal/branding.css"
colours = st.integers(0, 0xFFFFFF).map(lambda v: f"#{v:06x}")


def _client_form(client, **changes):
    data = {
        "name": client.name,
        "currency": client.currency,
        "default_hourly_rate": str(client.default_hourly_rate),
        "portal_display_name": "",
        "portal_accent_color": "",
        "portal_welcome_message": "",
    }
    data.update(changes)
    return data


class TestContrast:
    @pytest.mark.parametrize(
        ("accent", "text"),
        [
            ("#1f4e79", branding.WHITE),
            ("#000000", branding.WHITE),
            ("#ffffff", branding.BLACK),
            ("#ffd700", branding.BLACK),  # gold
            ("#00ff00", branding.BLACK),
            ("#d62828", branding.WHITE),
            ("#777777", branding.BLACK),  # mid grey: black reads slightly better
        ],
    )
    def test_text_colour_follows_the_luminance(self, accent, text):
        assert branding.text_colour_on(accent) == text

    def test_known_ratios(self):
        assert branding.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
        assert branding.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)

    @given(colours)
    def test_text_on_any_accent_meets_wcag_aa(self, accent):
        palette = branding.Palette.from_accent(accent)
        assert branding.contrast_ratio(palette.on_accent, palette.accent) >= 4.5
        assert branding.contrast_ratio(palette.on_accent_hover, palette.accent_hover) >= 4.5
        assert branding.contrast_ratio(palette.link, branding.WHITE) >= 4.5
        assert branding.contrast_ratio(palette.link_hover, branding.WHITE) >= 4.5

    @pytest.mark.parametrize(
        "bad", ["1f4e79", "#1f4e7", "#1f4e799", "#gggggg", "red", "#1f4e79;}", "", None]
    )
    def test_only_six_digit_hex_is_a_colour(self, bad):
        assert branding.accent_of(bad) is None
        if bad is not None:
            with pytest.raises(ValueError):
                branding.normalize_hex_colour(bad)


class TestStylesheet:
    def test_reflects_only_the_signed_in_clients_colour(self, app, session, world):
        world.a.client.portal_accent_color = "#ffd700"
        world.b.client.portal_accent_color = "#d62828"
        session.commit()
        response = signed_in(app, world.a.portal_user).get(CSS)
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert response.headers["Content-Type"].startswith("text/css")
        css = response.get_data(as_text=True)
        assert ".bg-portal { background-color: #ffd700; color: #000000; }" in css
        assert "--bs-btn-bg: #ffd700;" in css
        assert "#d62828" not in css
        # Links on white use the gold darkened to AA.
        link = re.search(r"--bs-link-color: (#[0-9a-f]{6});", css).group(1)
        assert branding.contrast_ratio(link, "#ffffff") >= 4.5
        outline = css.split(".btn-outline-primary {")[1].split("}")[0]
        assert f"--bs-btn-color: {link};" in outline
        other = signed_in(app, world.b.portal_user).get(CSS).get_data(as_text=True)
        assert "#d62828" in other and "#ffd700" not in other

    def test_no_colour_gives_an_empty_stylesheet(self, as_alpha):
        response = as_alpha.get(CSS)
        assert response.status_code == 200
        assert "{" not in response.get_data(as_text=True)

    def test_a_stored_value_that_is_not_a_colour_is_never_written_out(self, app, session, world):
        world.a.client.portal_accent_color = "red;}"
        session.commit()
        css = signed_in(app, world.a.portal_user).get(CSS).get_data(as_text=True)
        assert "red" not in css and "{" not in css

    def test_cached_privately_and_revalidated_by_etag(self, app, session, world):
        world.a.client.portal_accent_color = "#1f4e79"
        session.commit()
        browser = signed_in(app, world.a.portal_user)
        first = browser.get(CSS)
        assert "private" in first.headers["Cache-Control"]
        assert "no-cache" in first.headers["Cache-Control"]
        etag = first.headers["ETag"]
        again = browser.get(CSS, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
        world.a.client.portal_accent_color = "#d62828"
        session.commit()
        changed = browser.get(CSS, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag

    @pytest.mark.parametrize("role", ["anonymous", "staff", "admin"])
    def test_refused_to_everyone_but_portal_users(self, app, world, role):
        user = {"anonymous": None, "staff": world.staff, "admin": world.admin}[role]
        response = signed_in(app, user).get(CSS)
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403
        assert "background-color" not in response.get_data(as_text=True)

    def test_linked_from_portal_pages_only(self, app, world, as_alpha, as_admin):
        assert f'href="{CSS}"' in as_alpha.get("/client-portal").get_data(as_text=True)
        assert f'href="{CSS}"' in as_alpha.get("/account").get_data(as_text=True)
        assert CSS not in as_admin.get("/dashboard").get_data(as_text=True)
        assert CSS not in signed_in(app, None).get("/login").get_data(as_text=True)


class TestClientForm:
    def test_admin_sets_and_clears_the_branding(self, as_admin, session, world):
        customer = world.a.client
        path = f"/clients/{customer.id}/edit"
        assert "Portal branding" in as_admin.get(path).get_data(as_text=True)
        response = post(
            as_admin,
            path,
            _client_form(
                customer,
                portal_display_name=" Alpha Digital ",
                portal_accent_color=" #1F4E79 ",
                portal_welcome_message="Welcome to your project hub.",
            ),
        )
        assert response.status_code == 302
        session.refresh(customer)
        assert (
            customer.portal_display_name,
            customer.portal_accent_color,
            customer.portal_welcome_message,
        ) == ("Alpha Digital", "#1f4e79", "Welcome to your project hub.")
        assert post(as_admin, path, _client_form(customer)).status_code == 302
        session.refresh(customer)
        assert customer.portal_display_name is None
        assert customer.portal_accent_color is None
        assert customer.portal_welcome_message is None

    @pytest.mark.parametrize("colour", ["blue", "#12345", "#1234567", "1f4e79", "#xyzxyz"])
    def test_a_bad_colour_is_400_and_writes_nothing(self, as_admin, session, world, colour):
        customer = world.a.client
        response = post(
            as_admin,
            f"/clients/{customer.id}/edit",
            _client_form(customer, portal_accent_color=colour, portal_display_name="Changed"),
        )
        assert response.status_code == 400
        assert "six hexadecimal digits, like #1F4E79" in response.get_data(as_text=True)
        session.refresh(customer)
        assert customer.portal_accent_color is None
        assert customer.portal_display_name is None

    def test_staff_cannot_edit_the_branding(self, as_staff, session, world):
        customer = world.a.client
        response = post(
            as_staff,
            f"/clients/{customer.id}/edit",
            _client_form(customer, portal_accent_color="#000000"),
        )
        assert response.status_code == 403
        session.refresh(customer)
        assert customer.portal_accent_color is None


class TestDashboard:
    def test_display_name_and_welcome_message(self, app, session, world):
        world.a.client.portal_display_name = "Alpha Digital"
        world.a.client.portal_welcome_message = "Hello <b>team</b>\nSecond line"
        session.commit()
        html = signed_in(app, world.a.portal_user).get("/client-portal").get_data(as_text=True)
        assert re.search(r"<h1[^>]*>Alpha Digital</h1>", html)
        assert "Hello &lt;b&gt;team&lt;/b&gt;\nSecond line" in html

    def test_without_branding_the_client_name_and_no_message(self, as_alpha):
        html = as_alpha.get("/client-portal").get_data(as_text=True)
        assert re.search(r"<h1[^>]*>Alpha Corp</h1>", html)
        assert 'data-testid="welcome-message"' not in html


class TestAccentEverywhere:
    """Every element the portal draws in its accent takes the client's: the active invoice
    (and quote) filter, the charts, progress bars, badges and the rest."""

    @pytest.fixture
    def css(self, app, session, world):
        world.a.client.portal_accent_color = "#ffd700"
        session.commit()
        return signed_in(app, world.a.portal_user).get(CSS).get_data(as_text=True)

    @staticmethod
    def rule(css, selector):
        return css.split(selector + " {")[1].split("}")[0]

    def test_the_active_filter_pill(self, css):
        pills = self.rule(css, ".nav-pills")
        assert "--bs-nav-pills-link-active-bg: #ffd700;" in pills
        assert "--bs-nav-pills-link-active-color: #000000;" in pills  # black reads on gold

    def test_the_invoice_filters_are_those_pills(self, app, world):
        html = (
            signed_in(app, world.a.portal_user)
            .get("/client-portal/invoices")
            .get_data(as_text=True)
        )
        assert 'class="nav nav-pills flex-wrap" data-testid="invoice-filters"' in html
        assert re.search(r'<a class="nav-link active" [^>]*aria-current="page"', html)

    def test_custom_properties_and_bootstrap_primary(self, css):
        root = self.rule(css, ":root")
        assert "--portal-accent: #ffd700;" in root
        assert "--bs-primary: #ffd700;" in root and "--bs-primary-rgb: 255, 215, 0;" in root
        graphic = re.search(r"--portal-accent-graphic: (#[0-9a-f]{6});", root).group(1)
        assert branding.contrast_ratio(graphic, "#ffffff") >= 3.0  # gold darkened for charts
        assert branding.contrast_ratio(graphic, "#ffffff") < 4.5  # ... no darker than needed

    def test_the_charts_take_the_accent(self, css):
        assert ".chart .chart-bar-accent { fill: var(--portal-accent-graphic); }" in css
        burndown = self.rule(
            css, ".chart-burndown .burndown-used, .chart-burndown .burndown-forecast"
        )
        assert "stroke: var(--portal-accent-graphic);" in burndown
        legend = self.rule(
            css, ".burndown-legend .burndown-key-used, .burndown-legend .burndown-key-forecast"
        )
        assert "border-top-color: var(--portal-accent-graphic);" in legend

    def test_progress_badges_and_fields(self, css):
        assert "--bs-progress-bar-bg: #ffd700;" in self.rule(css, ".progress, .progress-stacked")
        badge = self.rule(css, ".text-bg-primary, .badge-portal")
        assert (
            "color: #000000 !important;" in badge
            and "background-color: #ffd700 !important;" in badge
        )
        assert "background-color: #ffd700;" in self.rule(css, ".form-check-input:checked")

    def test_the_hours_chart_bars_carry_the_accent_class(self, app, session, world):
        from tests.factories import make_entry

        recent = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        make_entry(session, world.a.project, world.staff, start=recent - dt.timedelta(days=8))
        session.commit()
        html = signed_in(app, world.a.portal_user).get("/client-portal").get_data(as_text=True)
        chart = html.split('data-testid="chart-hours"')[1].split("</svg>")[0]
        bars = re.findall(r"<rect [^>]*>", chart)
        assert bars and all('class="chart-bar chart-bar-accent"' in bar for bar in bars)
        assert all('fill="#1f4e79"' in bar for bar in bars)  # the fallback without an accent
        invoices = html.split('data-testid="chart-invoices"')[1].split("</svg>")[0]
        # Invoice states keep their meaning (paid green, overdue red), not the brand colour.
        assert "chart-bar-accent" not in invoices


class TestContrastWarning:
    @pytest.mark.parametrize("accent", ["#777777", "#ffd700", "#ffffff", "#00ff00"])
    def test_under_aa_warns_with_the_ratio(self, accent):
        warning = branding.contrast_warning(accent)
        ratio = branding.contrast_ratio(accent, branding.WHITE)
        assert warning is not None and f"{int(ratio * 100) / 100:.2f}:1" in warning
        assert accent.upper() in warning

    def test_767676_is_the_lightest_grey_that_passes(self):
        assert branding.contrast_warning("#767676") is None  # 4.54:1
        assert "4.47:1" in branding.contrast_warning("#777777")  # 4.478…, never rounded up

    @pytest.mark.parametrize("accent", ["#000000", "#1f4e79", "#b02a37"])
    def test_dark_colours_do_not_warn(self, accent):
        assert branding.contrast_warning(accent) is None
