"""The endpoint form: URL, description, events as checkboxes, and (when editing) on or off."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from timetracker.i18n import _l
from timetracker.webhooks.addresses import MAX_URL_LENGTH
from timetracker.webhooks.events import SUBSCRIBABLE


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Endpoint URL"),
        validators=[Length(max=MAX_URL_LENGTH, message=_l("The URL is too long."))],
    )
    description = StringField(
        _l("Description"),
        validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))],
    )
    events = CheckboxesField(
        _l("Events"), choices=list(SUBSCRIBABLE.items()), validate_choice=False
    )
    is_active = BooleanField(_l("On: send events to this endpoint"), default=True)


class ActionForm(FlaskForm):
    """A button's form: only the CSRF token."""
