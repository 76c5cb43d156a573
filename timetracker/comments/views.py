"""Comments on projects: the portal's and the workspace's writes (the threads are drawn by the
project pages, see ``panels``).

Every write is a CSRF-protected POST, rate-limited per person (:data:`COMMENT_LIMIT`, all the
comment writes of one person together, in the shared rate-limit storage), audited, and
answered by a redirect (303) to the thread (``#comments``), or by the project page again with
the error and status 400. A comment's id is in the URL and is looked up within the project
(and in the portal within the client, through ``g.portal``): another project's or client's
comment is the same 404 as a missing one. Posting twice with one form posts once.

URL table (``URLS`` below):

    /client-portal/projects/<id>/comments                  portal_post       portal  POST
    /client-portal/projects/<id>/comments/<cid>/edit       portal_edit       portal  POST
    /client-portal/projects/<id>/comments/<cid>/delete     portal_delete     portal  POST
    /projects/<id>/comments                                workspace_post    staff   POST
    /projects/<id>/comments/<cid>/edit                     workspace_edit    staff   POST
    /projects/<id>/comments/<cid>/delete                   workspace_delete  staff   POST
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, g, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from timetracker import db
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.auth.sessions import cookie_user_id
from timetracker.comments import operations
from timetracker.comments.forms import CommentDeleteForm, CommentEditForm, CommentForm
from timetracker.comments.operations import CommentRefused
from timetracker.comments.queries import Person, people_on_project
from timetracker.comments.unread import unread_total
from timetracker.errors import render_error
from timetracker.extensions import limiter
from timetracker.models import Client, Comment, Project, User
from timetracker.models._common import utcnow
from timetracker.portal.scope import PortalScope

bp = Blueprint("comments", __name__)

#: A person writes a few comments an hour; a burst of corrections is fine, a script is not.
COMMENT_LIMIT = "10 per minute;200 per day"


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    """``comment_unread_total()`` for the navigation: computed only where a page draws it."""

    def comment_unread_total() -> int:
        if not current_user.is_authenticated:
            return 0
        return unread_total(current_user._get_current_object())

    return {"comment_unread_total": comment_unread_total}


def _per_person() -> str:
    return f"comment-write:{cookie_user_id()}"


# Counted in the app's ``before_request`` (a blueprint limit), before the access check loads the
# user, like the portal's payment notices (see ``portal/payments.py`` for why). A request
# without a signed-in user is not counted: the access check sends it to the login.
limiter.limit(
    COMMENT_LIMIT,
    key_func=_per_person,
    methods=["POST"],
    exempt_when=lambda: cookie_user_id() is None,
)(bp)


@dataclass(frozen=True)
class Side:
    """Where a write comes from: the portal or the workspace, with its own lookups."""

    project: Project
    client: Client
    people: Callable[[], list[Person]]
    find: Callable[[int], Comment]
    render: Callable[..., ResponseReturnValue]
    page_endpoint: str

    def back(self) -> ResponseReturnValue:
        target = url_for(self.page_endpoint, project_id=self.project.id) + "#comments"
        return redirect(target, 303)


def _me() -> User:
    return current_user._get_current_object()


def _portal_side(project_id: int) -> Side:
    from timetracker.portal.routes import render_project_page

    s: PortalScope = g.portal
    project = s.comment_project(project_id)
    return Side(
        project=project,
        client=s.client,
        people=lambda: s.comment_people(project_id),
        find=lambda comment_id: s.comment(project_id, comment_id),
        render=lambda status, **forms: render_project_page(project_id, status, **forms),
        page_endpoint="portal.project_detail",
    )


def _workspace_side(project_id: int) -> Side:
    from timetracker.workspace.common import found
    from timetracker.workspace.projects import queries as project_queries
    from timetracker.workspace.projects.updates import render_project_page

    project = found(project_queries.get_project(project_id))

    def find(comment_id: int) -> Comment:
        comment = db.session.scalar(
            select(Comment).where(Comment.project_id == project.id, Comment.id == comment_id)
        )
        if comment is None:
            raise NotFound()
        return comment

    return Side(
        project=project,
        client=project.client,
        people=lambda: people_on_project(db.session, project),
        find=find,
        render=lambda status, **forms: render_project_page(project, status, **forms),
        page_endpoint="workspace.project_detail",
    )


# The writes, the same for both sides -----------------------------------------------------------
def _post(side: Side) -> ResponseReturnValue:
    form = CommentForm()
    if not form.validate_on_submit():
        return side.render(400, comment_form=form)
    try:
        posted = operations.post_comment(
            db.session,
            side.project,
            side.client,
            _me(),
            form.body.data,
            people=side.people(),
            seen_up_to=form.seen(),
        )
    except CommentRefused as refused:
        form.body.errors = [str(refused)]
        return side.render(400, comment_form=form)
    if not posted.new:
        flash(_("Your comment was already posted."), "info")
    elif posted.emailed and side.page_endpoint == "workspace.project_detail":
        names = ", ".join(p.name for p in posted.emailed)
        flash(
            _("Comment posted. Emailed the people you mentioned: %(names)s.", names=names),
            "success",
        )
    else:
        flash(_("Comment posted."), "success")
    return side.back()


def _edit(side: Side, comment_id: int) -> ResponseReturnValue:
    comment = side.find(comment_id)
    form = CommentEditForm()
    if not form.validate_on_submit():
        problems = [str(e) for e in form.body.errors] or [_("Reload the page and try again.")]
        shown = operations.may_edit(comment, _me(), utcnow())  # else its form is not drawn
        error = (
            None
            if shown
            else _("The comment was not saved: %(problems)s", problems=" ".join(problems))
        )
        return side.render(400, comment_edit=(comment.id, form), comment_error=error)
    try:
        operations.edit_comment(
            db.session,
            side.project,
            side.client,
            comment,
            _me(),
            form.body.data,
            people=side.people(),
        )
    except CommentRefused as refused:
        if refused.status == 403:
            return render_error(403, str(refused))
        form.body.errors = [str(refused)]
        return side.render(400, comment_edit=(comment.id, form), comment_error=str(refused))
    flash(_("Comment saved."), "success")
    return side.back()


def _delete(side: Side, comment_id: int) -> ResponseReturnValue:
    comment = side.find(comment_id)
    if not CommentDeleteForm().validate_on_submit():
        return side.render(400, comment_error=_("The form was incomplete. Reload and try again."))
    try:
        deleted = operations.delete_comment(db.session, side.project, side.client, comment, _me())
    except CommentRefused as refused:
        return render_error(403, str(refused))
    flash(_("Comment deleted.") if deleted else _("This comment was already deleted."), "success")
    return side.back()


# Views ------------------------------------------------------------------------------------------
def portal_post(project_id: int) -> ResponseReturnValue:
    return _post(_portal_side(project_id))


def portal_edit(project_id: int, comment_id: int) -> ResponseReturnValue:
    return _edit(_portal_side(project_id), comment_id)


def portal_delete(project_id: int, comment_id: int) -> ResponseReturnValue:
    return _delete(_portal_side(project_id), comment_id)


def workspace_post(project_id: int) -> ResponseReturnValue:
    return _post(_workspace_side(project_id))


def workspace_edit(project_id: int, comment_id: int) -> ResponseReturnValue:
    return _edit(_workspace_side(project_id), comment_id)


def workspace_delete(project_id: int, comment_id: int) -> ResponseReturnValue:
    return _delete(_workspace_side(project_id), comment_id)


POST = ["POST"]
PORTAL, STAFF = Policy.PORTAL, Policy.STAFF
_PORTAL_THREAD = "/client-portal/projects/<int:project_id>/comments"
_THREAD = "/projects/<int:project_id>/comments"

URLS: UrlTable = [
    (_PORTAL_THREAD, portal_post, POST, PORTAL),
    (_PORTAL_THREAD + "/<int:comment_id>/edit", portal_edit, POST, PORTAL),
    (_PORTAL_THREAD + "/<int:comment_id>/delete", portal_delete, POST, PORTAL),
    (_THREAD, workspace_post, POST, STAFF),
    (_THREAD + "/<int:comment_id>/edit", workspace_edit, POST, STAFF),
    (_THREAD + "/<int:comment_id>/delete", workspace_delete, POST, STAFF),
]
register_urls(bp, URLS)
