from tests.conftest import login
from tests.factories import make_admin


def test_login_page_has_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'for="email">Email<' in html
    assert 'for="password">Password<' in html
    assert ">Log in</button>" in html


def test_admin_logs_in_and_lands_on_dashboard(client, session):
    admin = make_admin(session)
    response = login(client, admin.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
