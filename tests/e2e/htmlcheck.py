"""HTML validity: the pages as the server sent them, checked by the Nu HTML Checker (vnu).

The browser tests keep the body of every HTML document the server sends them (``HtmlPages``);
at the end of the test process all of them go to vnu in one Java run (it is slow to start).
Any error fails the run; warnings are listed with the errors but do not fail it.

vnu comes from the npm package ``vnu-jar`` (a Java program; it is not committed here): the jar
is found at ``$TIMETRACKER_VNU_JAR`` or ``node_modules/vnu-jar/build/dist/vnu.jar`` under the
checkout, and run with ``java`` from the PATH. Without either the check is skipped, except in CI
(``TIMETRACKER_CI=1``), where that is a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(
    os.environ.get("TIMETRACKER_VNU_JAR") or ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
)
IN_CI = os.environ.get("TIMETRACKER_CI") == "1"
#: What differs between two requests for the same page: the CSRF token and the CSP nonce.
_PER_REQUEST = re.compile(rb'(name="csrf_token"[^>]*value|nonce)="[^"]*"')


def missing_validator() -> str | None:
    """Why vnu cannot run here, or None when it can."""
    if not VNU_JAR.is_file():
        return (
            f"the Nu HTML Checker is not at {VNU_JAR}: install it with "
            '`npm install --no-save --ignore-scripts --prefix "$PWD" vnu-jar` '
            "or set TIMETRACKER_VNU_JAR"
        )
    if shutil.which("java") is None:
        return "java is not on the PATH: the Nu HTML Checker needs a Java runtime"
    return None


def validate(files: list[Path]) -> list[dict[str, Any]]:
    """vnu's messages (errors, warnings, notes) about ``files``, each with its ``url``."""
    if not files:
        return []
    result = subprocess.run(  # noqa: S603 - a fixed program on files this run wrote
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"vnu failed ({result.returncode}): {result.stderr[-2000:]}")
    # vnu writes its JSON report to standard error.
    messages: list[dict[str, Any]] = json.loads(result.stderr)["messages"]
    return messages


def is_error(message: dict[str, Any]) -> bool:
    return message.get("type") in ("error", "non-document-error")


def describe(message: dict[str, Any], where: str) -> str:
    line = message.get("lastLine", "?")
    extract = message.get("extract", "").replace("\n", " ")
    kind = message.get("subType", message.get("type"))
    return f"{kind} on {where} line {line}: {message.get('message')}\n      near: {extract}"


@dataclass
class HtmlPages:
    """The distinct HTML documents a test process received, written to ``folder``."""

    folder: Path
    #: file -> the page's path and query, for the report
    pages: dict[Path, str] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)

    def add(self, where: str, body: bytes) -> None:
        digest = hashlib.sha256(_PER_REQUEST.sub(rb"\1", body)).hexdigest()
        if digest in self._seen:
            return
        self._seen.add(digest)
        self.folder.mkdir(parents=True, exist_ok=True)
        file = self.folder / f"page-{len(self._seen):04d}.html"
        file.write_bytes(body)
        self.pages[file] = where

    def problems(self) -> tuple[list[str], list[str]]:
        """vnu's errors and its other messages, each naming the page."""
        by_url = {file.resolve().as_uri(): where for file, where in self.pages.items()}
        errors, others = [], []
        for message in validate(list(self.pages)):
            url = message.get("url", "")
            where = by_url.get(url) or by_url.get(url.replace("file:/", "file:///", 1), url)
            (errors if is_error(message) else others).append(describe(message, where))
        return errors, others
