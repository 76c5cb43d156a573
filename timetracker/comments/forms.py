"""The comment forms (CSRF by Flask-WTF). The body's rules live in ``operations``
(:func:`~timetracker.comments.operations.normalise_body`), so the forms and the domain share
one message for each refusal."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField, ValidationError

from timetracker.comments.operations import CommentRefused, normalise_body
from timetracker.i18n import _l
from timetracker.parsing import parse_whole

#: The largest comment id a form may carry as the thread's newest when it was drawn.
MAX_MARK = 2**31 - 1


def _body_rule(_form: FlaskForm, field: TextAreaField) -> None:
    try:
        field.data = normalise_body(field.data)
    except CommentRefused as refused:
        raise ValidationError(str(refused)) from None


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), [_body_rule])
    #: The newest comment id of the thread when the form was drawn: a second submission of the
    #: same form finds the comment its first one posted (see ``operations.post_comment``).
    seen_up_to = HiddenField()
    submit = SubmitField(_l("Post comment"))

    def seen(self) -> int:
        value = parse_whole((self.seen_up_to.data or "").strip() or "0", 0, MAX_MARK)
        return value or 0

    def validate_seen_up_to(self, field: HiddenField) -> None:
        if parse_whole((field.data or "").strip() or "0", 0, MAX_MARK) is None:
            raise ValidationError(
                gettext("This form is incomplete. Reload the page and post again.")
            )

    @classmethod
    def blank(cls, newest: int) -> CommentForm:
        form = cls(formdata=None)
        form.seen_up_to.data = str(newest)
        return form


class CommentEditForm(FlaskForm):
    """The edit form of one comment; the comment's id is in the URL."""

    body = TextAreaField(_l("Edit comment"), [_body_rule])
    submit = SubmitField(_l("Save comment"))


class CommentDeleteForm(FlaskForm):
    """Only the CSRF token: the comment's id is in the URL."""
