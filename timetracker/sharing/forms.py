"""The forms of shared documents; every one is a POST with a CSRF token."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from timetracker.i18n import _l

#: The names under which a rejected form comes back to the page that draws it (the project
#: and client pages pass their forms through ``**forms``).
UPLOAD_FORM = "document_upload_form"

CHOOSE_A_FILE = _l("Choose a file to upload.")


class UploadForm(FlaskForm):
    file = FileField(_l("File"), [FileRequired(CHOOSE_A_FILE)])
    title = StringField(
        _l("Title"),
        [Optional(), Length(max=200, message=_l("A title is at most 200 characters."))],
        description=_l("Optional; the file's name when left empty."),
    )
    submit = SubmitField(_l("Upload document"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "document")
        super().__init__(*args, **kwargs)

    def validate_title(self, field: StringField) -> None:
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in field.data or ""):
            raise ValidationError(gettext("Write the title on one line."))


class VersionForm(FlaskForm):
    file = FileField(_l("File"), [FileRequired(CHOOSE_A_FILE)])
    submit = SubmitField(_l("Upload new version"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "version")
        super().__init__(*args, **kwargs)


class RemoveForm(FlaskForm):
    submit = SubmitField(_l("Remove from the portal"))
