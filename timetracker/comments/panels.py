"""The comment thread drawn on the portal and workspace project pages.

Each page gets one key, ``comments``: a :class:`Thread` with everything of the section (the
page of comments, the forms, who is on the project, whether the thread is read-only). Showing
a thread moves the viewer's read mark to its newest comment shown, written after the request
in a transaction of its own (the page itself only reads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from timetracker import db, firm
from timetracker.comments import queries
from timetracker.comments.forms import CommentEditForm, CommentForm
from timetracker.comments.markdown import render
from timetracker.comments.operations import EDIT_MINUTES, may_delete, may_edit, read_only_reason
from timetracker.comments.queries import CommentRow, Person
from timetracker.comments.unread import note_reading
from timetracker.i18n import N_
from timetracker.models import Client, Project, User
from timetracker.models._common import utcnow
from timetracker.pagination import Page
from timetracker.parsing import parse_page
from timetracker.portal.scope import PortalScope
from timetracker.sidewrites import write_after_request

#: The query parameter of the thread's page (``page`` is the status history's).
PAGE_PARAMETER = "comments_page"


BAD_PAGE = N_("The comments page must be a whole number from 1 upwards.")


@dataclass(frozen=True)
class ShownComment:
    id: int
    #: The author as this viewer may read it (the firm's name for hidden staff names).
    author: str
    by_client: bool
    created_at: dt.datetime
    edited_at: dt.datetime | None
    deleted: bool
    #: The sanitised HTML of the body (empty when deleted).
    html: Markup
    #: The Markdown source, for the edit form.
    source: str
    mine: bool
    is_new: bool
    can_edit: bool
    can_delete: bool
    edit_url: str
    delete_url: str


@dataclass
class Thread:
    project_id: int
    project_name: str
    page: Page[ShownComment]
    form: CommentForm
    post_url: str
    #: Endpoint and arguments of the thread's pages (links carry ``comments_page``).
    page_endpoint: str
    page_args: dict[str, Any]
    #: Names listed under the form as "People on this project", each with whether they are
    #: one of the client's contacts.
    people: list[tuple[str, bool]]
    read_only: str | None
    unread: int
    edit_minutes: int = EDIT_MINUTES
    #: The comment whose edit failed, with its form (shown open with the errors).
    failed_edit_id: int | None = None
    edit_form: CommentEditForm | None = None
    #: A refusal of an edit or a delete, shown above the thread.
    error: str | None = None
    firm_name: str = ""
    portal: bool = False
    pages: list[int | None] = field(default_factory=list)

    def page_url(self, number: int) -> str:
        return (
            url_for(self.page_endpoint, **{**self.page_args, PAGE_PARAMETER: number}) + "#comments"
        )


def requested_page() -> int | None:
    """The ``comments_page`` asked for (``None``: the newest page); 400 when malformed."""
    values = request.args.getlist(PAGE_PARAMETER)
    if not values or values == [""]:
        return None
    if len(values) > 1:
        raise BadRequest(
            gettext("The parameter '%(name)s' was given more than once.", name=PAGE_PARAMETER)
        )
    number = parse_page(values[0].strip())
    if number is None:
        raise BadRequest(gettext(BAD_PAGE))
    return number


def _shown(
    page: Page[CommentRow],
    viewer: User,
    last_read: int,
    author_of: Callable[[CommentRow], tuple[str, bool]],
    urls: Callable[[int], tuple[str, str]],
    writable: bool,
) -> Page[ShownComment]:
    now = utcnow()
    items = []
    for row in page.items:
        author, by_client = author_of(row)
        edit_url, delete_url = urls(row.id)
        deleted = row.deleted_at is not None
        items.append(
            ShownComment(
                id=row.id,
                author=author,
                by_client=by_client,
                created_at=row.created_at,
                edited_at=row.edited_at,
                deleted=deleted,
                html=Markup("") if deleted else render(row.body),
                source="" if deleted else row.body,
                mine=row.author_id == viewer.id,
                is_new=row.id > last_read and row.author_id != viewer.id and not deleted,
                can_edit=writable and may_edit(row, viewer, now),
                can_delete=may_delete(row, viewer),
                edit_url=edit_url,
                delete_url=delete_url,
            )
        )
    return Page(items, page.total, page.number, page.size)


def _mark_read(viewer: User, project_id: int, page: Page[CommentRow]) -> None:
    up_to = max((row.id for row in page.items), default=0)
    if up_to <= 0:
        return
    note_reading(project_id, up_to)
    viewer_id = viewer.id
    write_after_request(
        lambda own: queries.write_read_mark(own, viewer_id, project_id, up_to), db.session
    )


def _failed_edit(forms: dict[str, Any]) -> tuple[int | None, CommentEditForm | None]:
    failed = forms.get("comment_edit")
    if failed is None:
        return None, None
    comment_id, form = failed
    return int(comment_id), form


def portal_thread(scope: PortalScope, project_id: int, **forms: Any) -> dict[str, Any]:
    """Template context of the thread on the portal project page."""
    viewer: User = current_user._get_current_object()
    project = scope.comment_project(project_id)
    number = requested_page()
    last_read = scope.comment_read_mark(viewer.id, project_id)
    rows = scope.comment_page(project_id, number)
    firm_name = firm.get_settings().company_name
    show_staff = scope.visibility.staff_names

    def author_of(row: CommentRow) -> tuple[str, bool]:
        own = scope.is_own_contact(row)
        return (row.author_name if own or show_staff else firm_name), own

    def urls(comment_id: int) -> tuple[str, str]:
        args: dict[str, Any] = {"project_id": project_id, "comment_id": comment_id}
        return (
            url_for("comments.portal_edit", **args),
            url_for("comments.portal_delete", **args),
        )

    read_only = read_only_reason(project, scope.client)
    people = scope.comment_people(project_id)
    thread = _thread(
        project,
        _shown(rows, viewer, last_read, author_of, urls, read_only is None),
        forms,
        newest=scope.newest_comment_id(project_id),
        post_url=url_for("comments.portal_post", project_id=project_id),
        page_endpoint="portal.project_detail",
        people=[(p.name, not p.is_staff) for p in people if show_staff or not p.is_staff],
        read_only=read_only,
        firm_name=firm_name,
        portal=True,
    )
    _mark_read(viewer, project_id, rows)
    return {"comments": thread}


def workspace_thread(project: Project, **forms: Any) -> dict[str, Any]:
    """Template context of the thread on the workspace project page."""
    viewer: User = current_user._get_current_object()
    session = db.session
    number = requested_page()
    last_read = queries.read_mark(session, viewer.id, project.id)
    total = session.scalar(queries.count_select(project.id)) or 0
    rows = queries.page_of(session, queries.thread_select(project.id), total, number)

    def author_of(row: CommentRow) -> tuple[str, bool]:
        return row.author_name, row.author_role == "client"

    def urls(comment_id: int) -> tuple[str, str]:
        args: dict[str, Any] = {"project_id": project.id, "comment_id": comment_id}
        return (
            url_for("comments.workspace_edit", **args),
            url_for("comments.workspace_delete", **args),
        )

    client = session.get(Client, project.client_id)
    assert client is not None  # the foreign key keeps it
    read_only = read_only_reason(project, client)
    people: list[Person] = queries.people_on_project(session, project)
    thread = _thread(
        project,
        _shown(rows, viewer, last_read, author_of, urls, read_only is None),
        forms,
        newest=queries.newest_id(session, project.id),
        post_url=url_for("comments.workspace_post", project_id=project.id),
        page_endpoint="workspace.project_detail",
        people=[(p.name, not p.is_staff) for p in people],
        read_only=read_only,
        firm_name=firm.get_settings().company_name,
        portal=False,
    )
    _mark_read(viewer, project.id, rows)
    return {"comments": thread}


def _thread(
    project: Project,
    page: Page[ShownComment],
    forms: dict[str, Any],
    *,
    newest: int,
    post_url: str,
    page_endpoint: str,
    people: list[tuple[str, bool]],
    read_only: str | None,
    firm_name: str,
    portal: bool,
) -> Thread:
    failed_id, edit_form = _failed_edit(forms)
    form = forms.get("comment_form") or CommentForm.blank(newest)
    return Thread(
        project_id=project.id,
        project_name=project.name,
        page=page,
        form=form,
        post_url=post_url,
        page_endpoint=page_endpoint,
        page_args={"project_id": project.id},
        people=people,
        read_only=read_only,
        unread=sum(1 for c in page.items if c.is_new),
        failed_edit_id=failed_id,
        edit_form=edit_form,
        error=forms.get("comment_error"),
        firm_name=firm_name,
        portal=portal,
        pages=page.window(),
    )
