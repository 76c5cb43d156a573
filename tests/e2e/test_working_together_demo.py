"""The demo data's working-together features as the demo client's contact sees them: the
thread on the website project and the shared documents (these pages are the README's
screenshots)."""

from __future__ import annotations

from tests.e2e.support import Browse


def test_the_demo_contact_reads_the_thread_and_downloads_a_shared_document(browse: Browse):
    seed, page = browse.seed, browse.page
    browse.login(seed.portal_email, seed.portal_password)

    browse.goto("/client-portal/documents")
    rows = page.locator("main table tbody tr")
    titles = " ".join(rows.all_inner_texts())
    assert "Project brief" in titles and "Estimate" in titles
    browse.screens("portal-documents")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Estimate").first.click()
    assert download.value.suggested_filename.endswith(".csv")

    browse.goto("/client-portal/projects")
    browse.click_and_wait(page.get_by_role("link", name="Website relaunch", exact=True))
    thread = page.get_by_test_id("comments")
    thread.scroll_into_view_if_needed()
    text = thread.inner_text()
    assert "staging site" in text and "Thursday works" in text
    # The staff answer's Markdown list is drawn as a list, and the mention as plain text.
    assert thread.locator("ul > li", has_text="the product pages").count() == 1
    browse.screens("portal-project-comments")
