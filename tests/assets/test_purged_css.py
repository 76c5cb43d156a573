"""The reduced Bootstrap stylesheet is up to date with the templates, and keeps what they need."""

from __future__ import annotations

import re

import tinycss2

from timetracker.assets import purge

BOOTSTRAP = """/*! licence */:root{--bs-x:1}[data-bs-theme=dark]{--bs-x:2}body{margin:0}
.btn{a:1}.btn-danger{b:1}.btn-info{c:1}.btn-check:checked+.btn{d:1}
.accordion-button:not(.collapsed){e:1}.card .card-body{f:1}.h1,h1{g:1}
@media (min-width:992px){.navbar-expand-lg .navbar-nav{h:1}.offcanvas{i:1}}
.spinner-border{animation:spin 1s}@keyframes spin{to{transform:rotate(1turn)}}
@keyframes unused{to{opacity:0}}.modal-open{overflow:hidden}"""


def test_the_committed_stylesheet_is_up_to_date() -> None:
    """A class added to a template must not silently lose its style: regenerate the file with
    ``python -m timetracker.assets.purge`` and commit it."""
    committed = purge.OUTPUT.read_text(encoding="utf-8")
    assert committed == purge.build(), "run: python -m timetracker.assets.purge"


def test_a_rule_stays_when_every_class_of_a_selector_is_used() -> None:
    used = purge.used_classes(
        ['<a class="btn btn-{{ style }}">', "{{ button(style='danger') }}", '<b class="nav">'],
        ['el.classList.add("navbar-nav")'],
        ['BADGE = "navbar-expand-lg"\n"""A docstring, not a class."""\n'],
    )
    css = purge.purge(BOOTSTRAP, used)
    assert css.startswith(purge.HEADER)
    assert "/*! licence */" in css
    assert ":root{--bs-x:1}" in css and "body{margin:0}" in css
    assert "data-bs-theme" not in css  # no template sets a theme
    assert ".btn{a:1}" in css
    assert ".btn-danger{b:1}" in css  # btn- + a word of the templates
    assert ".btn-info" not in css
    assert ".btn-check" not in css
    assert ".card" not in css
    assert ".h1,h1{" not in css and "h1{g:1}" in css  # only the matching selector of a list
    assert "@media (min-width:992px){.navbar-expand-lg .navbar-nav{h:1}}" in css
    assert ".modal-open{overflow:hidden}" in css  # set by Bootstrap's script on the body


def test_classes_inside_not_are_not_required_and_keyframes_follow_their_rules() -> None:
    used = frozenset({"accordion-button", "spinner-border"})
    css = purge.purge(BOOTSTRAP, used)
    assert ".accordion-button:not(.collapsed){e:1}" in css
    assert "@keyframes spin" in css
    assert "@keyframes unused" not in css
    assert "@keyframes spin" not in purge.purge(BOOTSTRAP, frozenset({"btn"}))


def test_the_states_bootstrap_sets_are_kept() -> None:
    css = purge.OUTPUT.read_text(encoding="utf-8")
    for selector in (
        ".collapse:not(.show)",
        ".collapsing",
        ".fade:not(.show)",
        ".modal-backdrop",
        ".modal.show .modal-dialog",
        ".alert-dismissible .btn-close",
        ".is-invalid",
        ".navbar-expand-lg .navbar-collapse",
    ):
        assert selector in css, selector


def test_the_classes_of_every_page_are_in_the_stylesheet() -> None:
    """Every Bootstrap class written in a template's class attribute has its rules."""
    full = purge.SOURCE.read_text(encoding="utf-8")
    bootstrap_classes = _classes(full)
    kept = _classes(purge.OUTPUT.read_text(encoding="utf-8"))
    written = set()
    for path in purge.TEMPLATES.rglob("*.html"):
        for attribute in re.findall(r'class="([^"{]*)', path.read_text(encoding="utf-8")):
            written.update(attribute.split())
    missing = (written & bootstrap_classes) - kept
    assert not missing


def _classes(css: str) -> set[str]:
    found = set()
    for token in _tokens(tinycss2.parse_stylesheet(css, skip_comments=True)):
        found.add(token)
    return found


def _tokens(nodes: list[tinycss2.ast.Node]) -> set[str]:
    out: set[str] = set()
    for node in nodes:
        if node.type == "qualified-rule":
            previous = None
            for token in node.prelude:
                if token.type == "ident" and previous is not None and previous == ".":
                    out.add(token.value)
                previous = token.value if token.type == "literal" else None
        elif node.type == "at-rule" and node.content is not None:
            if node.lower_at_keyword in ("media", "supports"):
                out |= _tokens(tinycss2.parse_rule_list(node.content))
    return out
