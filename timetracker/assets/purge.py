"""Bootstrap's stylesheet cut down to the rules our pages can use (issue 19).

    python -m timetracker.assets.purge          # rewrite the reduced stylesheet
    python -m timetracker.assets.purge --check  # exit 1 when the committed file is out of date

A rule is kept when one of its selectors can match: every class the selector requires is a
*used* class. Classes inside a functional pseudo-class (``:not(.collapsed)``, ``:is(...)``) are
not required, so those rules are kept as long as their other classes are used. Rules without a
class (``body``, ``:root``, ``[hidden]``) stay, except those keyed on a ``data-*`` attribute that
no template or script mentions (the dark theme's ``[data-bs-theme=dark]``). ``@media`` and
``@supports`` blocks keep their kept rules; a ``@keyframes`` stays when a kept rule names it.

The used classes are, generously (a class kept for nothing costs a few bytes; a class lost costs
a broken page):

* every word in the templates and in our scripts (``static/js``), so class attributes, classes
  written inside ``{% if %}``/``{{ 'a' if x else 'b' }}``, macro arguments and ``classList`` calls
  all count;
* every string literal in the package's Python that reads like a class list (lowercase words and
  hyphens only), e.g. the invoice states' ``"text-bg-warning"`` badges;
* for a class built in a template from a prefix and an expression (``btn-{{ style }}``,
  ``alert-{{ category }}``), the prefix joined to every word above (``btn-`` + ``danger``);
* the states Bootstrap's JavaScript sets on the components we use (:data:`SCRIPT_STATES`).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path

import tinycss2
from tinycss2 import ast

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
SCRIPTS = PACKAGE / "static" / "js"
BOOTSTRAP_DIR = PACKAGE / "static" / "vendor" / "bootstrap-5.3.3"
SOURCE = BOOTSTRAP_DIR / "bootstrap.min.css"
OUTPUT = BOOTSTRAP_DIR / "bootstrap.used.min.css"

#: Classes that Bootstrap's bundle adds or reads at run time for the components on our pages:
#: collapse (the navbar), modal (the send dialog, the keyboard help), dismissible alerts.
SCRIPT_STATES = frozenset(
    {
        "show",
        "showing",
        "hiding",
        "fade",
        "collapse",
        "collapsing",
        "collapsed",
        "collapse-horizontal",
        "modal-backdrop",
        "modal-open",
        "modal-static",
    }
)

_WORD = re.compile(r"[A-Za-z_][\w-]*")
#: ``prefix-{{`` in a template: a class completed by an expression.
_DYNAMIC_PREFIX = re.compile(r"([A-Za-z][\w-]*-)\{\{")
_CLASS_LIKE = re.compile(r"[a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)*")
_DATA_ATTRIBUTE = "data-"
HEADER = "/* Made from bootstrap.min.css by `python -m timetracker.assets.purge`: do not edit. */"


def _files(folder: Path, suffix: str) -> Iterator[Path]:
    return iter(sorted(p for p in folder.rglob(f"*{suffix}") if p.is_file()))


def _python_class_strings(source: str) -> Iterator[str]:
    """String literals of a module that read like class lists (``"badge text-bg-info"``)."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.STRING:
            continue
        body = token.string.lstrip("rbuRBU")
        text = body.strip("\"'")
        if _CLASS_LIKE.fullmatch(text):
            yield text


def used_classes(
    templates: Iterable[str], scripts: Iterable[str], python: Iterable[str]
) -> frozenset[str]:
    """The class names the pages can carry (see the module docstring)."""
    words: set[str] = set(SCRIPT_STATES)
    prefixes: set[str] = set()
    for text in templates:
        words.update(_WORD.findall(text))
        prefixes.update(_DYNAMIC_PREFIX.findall(text))
    for text in scripts:
        words.update(_WORD.findall(text))
    for text in python:
        for literal in _python_class_strings(text):
            words.update(literal.split())
    built = {prefix + word for prefix in prefixes for word in words}
    return frozenset(words | built)


def project_classes() -> frozenset[str]:
    """The used classes of this package's templates, scripts and Python."""
    return used_classes(
        (p.read_text(encoding="utf-8") for p in _files(TEMPLATES, ".html")),
        (p.read_text(encoding="utf-8") for p in _files(SCRIPTS, ".js")),
        (p.read_text(encoding="utf-8") for p in _files(PACKAGE, ".py")),
    )


def _split_selectors(prelude: list[ast.Node]) -> list[list[ast.Node]]:
    selectors: list[list[ast.Node]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def _required(selector: list[ast.Node]) -> tuple[set[str], set[str]]:
    """The classes and ``data-*`` attributes a selector needs (not those inside ``:not()``...)."""
    classes: set[str] = set()
    attributes: set[str] = set()
    previous: ast.Node | None = None
    for token in selector:
        if token.type == "ident" and previous is not None:
            if previous.type == "literal" and previous.value == ".":
                classes.add(token.value)
        elif token.type == "[] block":
            name = next((t.value for t in token.content if t.type == "ident"), "")
            if name.startswith(_DATA_ATTRIBUTE):
                attributes.add(name)
        previous = token
    return classes, attributes


def _keep_selectors(prelude: list[ast.Node], used: frozenset[str]) -> str | None:
    kept = []
    for selector in _split_selectors(prelude):
        classes, attributes = _required(selector)
        if classes <= used and attributes <= used:
            kept.append(tinycss2.serialize(selector).strip())
    return ",".join(kept) if kept else None


def _purge_rules(rules: Iterable[ast.Node], used: frozenset[str]) -> list[str]:
    out: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _keep_selectors(rule.prelude, used)
            if selectors is not None:
                out.append(f"{selectors}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            inner = _purge_rules(tinycss2.parse_rule_list(rule.content or []), used)
            if inner:
                prelude = tinycss2.serialize(rule.prelude).strip()
                out.append(f"@{rule.at_keyword} {prelude}{{{''.join(inner)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword != "charset":
            out.append(rule.serialize())  # @keyframes (filtered later)
        elif rule.type == "comment" and rule.value.startswith("!"):
            out.append(f"/*{rule.value}*/")  # the licence
    return out


def _drop_unused_keyframes(rules: list[str]) -> list[str]:
    body = "".join(r for r in rules if not r.startswith("@keyframes"))
    kept = []
    for rule in rules:
        match = re.match(r"@keyframes\s+([\w-]+)", rule)
        if match is None or re.search(rf"\b{re.escape(match.group(1))}\b", body):
            kept.append(rule)
    return kept


def purge(css: str, used: frozenset[str]) -> str:
    """The rules of ``css`` that can match ``used`` classes, minified, with the licence."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=True)
    kept = _drop_unused_keyframes(_purge_rules(rules, used))
    # Served as ``text/css; charset=utf-8``; the @charset rule would have to come first.
    return f"{HEADER}\n{''.join(kept)}\n"


def build() -> str:
    return purge(SOURCE.read_text(encoding="utf-8"), project_classes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write Bootstrap's CSS reduced to the used rules.")
    parser.add_argument("--check", action="store_true", help="only say whether it is up to date")
    args = parser.parse_args(argv)
    text = build()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        if text != current:
            print(f"{OUTPUT.name} is out of date: run python -m timetracker.assets.purge")
            return 1
        return 0
    if text != current:
        OUTPUT.write_text(text, encoding="utf-8")
    size = len(text.encode())
    print(f"{OUTPUT.relative_to(PACKAGE.parent)}: {size:,} bytes (from {SOURCE.stat().st_size:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
