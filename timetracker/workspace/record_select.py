"""A choice of one record by id, drawn as a select: an empty choice first where HTML asks for
one, anything but an id refused in the reader's language (``RecordSelectField``)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.validators import StopValidation
from wtforms.widgets import Select

from timetracker.i18n import _l
from timetracker.parsing import parse_id

#: What a record select says of its noun: its empty choice, and the refusal of a bad value.
_CHOICE_TEXTS: dict[str, tuple[Any, Any]] = {
    "client": (_l("Choose a client…"), _l("Choose a client from the list.")),
    "project": (_l("Choose a project…"), _l("Choose a project from the list.")),
    "person": (_l("Choose a person…"), _l("Choose a person from the list.")),
    "note": (_l("Choose a note…"), _l("Choose a note from the list.")),
    "record": (_l("Choose a record…"), _l("Choose a record from the list.")),
}


def choose_prompt(noun: str) -> str:
    """The empty choice of a select of ``noun`` records, in the reader's language."""
    texts = _CHOICE_TEXTS.get(noun)
    return str(texts[0]) if texts else f"Choose a {noun}…"


def choose_from_list(noun: str) -> str:
    """The refusal of a value that names no ``noun`` record, in the reader's language."""
    texts = _CHOICE_TEXTS.get(noun)
    return str(texts[1]) if texts else f"Choose a {noun} from the list."


class _RecordSelect(Select):
    """WTForms' select, with an empty first choice outside the groups when the choices are
    grouped, and for a required one too, grouped or not: a required ``<select>`` must start
    with an empty option that no ``<optgroup>`` holds (HTML's "placeholder label option"), and
    nobody is preselected into a record."""

    @classmethod
    def render_option(cls, value: Any, label: Any, selected: bool, **kwargs: Any) -> Markup:
        """WTForms' option, written directly where it has no attributes of its own: a select
        of every project draws thousands of options on each page."""
        if kwargs or value is True:
            return super().render_option(value, label, selected, **kwargs)
        chosen = "selected " if selected else ""
        return Markup(f'<option {chosen}value="{escape(value)}">{escape(label)}</option>')

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        html = str(super().__call__(field, **kwargs))
        if not field.has_groups():
            first = list(field.choices or [])[:1]
            placeholder_first = any(str(choice[0]) == "" for choice in first)
            if not field.flags.required or placeholder_first:
                return Markup(html)
        empty = self.render_option("", choose_prompt(field.noun), field.data is None)
        head, _, rest = html.partition(">")  # the end of ``<select ...>`` (values are escaped)
        return Markup(f"{head}>{empty}{rest}")


class RecordSelectField(SelectField):
    """A choice of a record by id. Empty gives ``None``; anything but an id is refused.

    Whether the id exists (and may be used) is checked against the database by the view, so
    the choices only serve to draw the list.
    """

    #: The chosen id, ``None`` when nothing was chosen.
    data: Any

    widget = _RecordSelect()

    def __init__(
        self, label: str | None = None, validators: Any = None, *, noun: str = "record", **kw: Any
    ) -> None:
        kw.setdefault("validate_choice", False)
        kw.setdefault("coerce", _coerce_id)
        super().__init__(label, validators, **kw)
        self.noun = noun
        #: Drawn like any select (the form macros choose the CSS class by type).
        self.type = "SelectField"

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        self.data = parse_id(str(valuelist[0]).strip())
        if self.data is None:
            # No id to look up: views may query with ``data`` before validating the form.
            raise ValueError(choose_from_list(self.noun))

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            # Our message stands alone; ``DataRequired`` would add its own to the empty value.
            raise StopValidation()


def _coerce_id(value: Any) -> int | None:
    """The id of a choice: choices hold ints, or the text of an id (as the record selects of
    the forms are drawn)."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    return parse_id(str(value))
