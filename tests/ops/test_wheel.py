"""The package as an administrator installs it: a wheel built from the checkout, installed into
a fresh virtualenv, run from a folder outside the checkout with its data in TIMETRACKER_DATA.

The wheel's dependencies are not installed again (that would take minutes): the new virtualenv
sees the test environment's site-packages through a ``.pth`` line added after the wheel is
installed. Only the dependencies come from there; ``timetracker`` itself must come from the
wheel, which the test checks before anything else.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.ops.servers import (
    ROOT,
    children,
    free_port,
    server_environment,
    wait_until,
)

# Starts real servers or programs: `make test-servers` (and .ci/run), not `make test`.
pytestmark = pytest.mark.servers

#: What the wheel is built from: the files an sdist of the checkout holds.
SOURCES = ("pyproject.toml", "README.md", "timetracker")


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - our own commands
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of the sources, so that neither a stale ``build/`` folder of the
    checkout ends up in the wheel nor the build writes into the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    for licence in ROOT.glob("LICEN[CS]E*"):
        shutil.copy2(licence, source / licence.name)
    dist = tmp_path / "dist"
    output = _run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist), "-v"],
        cwd=tmp_path,
    )
    # The build backend's warnings (SetuptoolsDeprecationWarning, "warning: no files found
    # matching ..."), as pip -v relays them; pip's own "WARNING:" lines are about this machine.
    setuptools_warnings = [
        line
        for line in output.splitlines()
        if ("Warning" in line or line.strip().startswith("warning:"))
        and "byte-compiling is disabled" not in line
    ]
    assert not setuptools_warnings, "\n".join(setuptools_warnings)
    (wheel,) = dist.glob("timetracker-*.whl")
    return wheel


def _site_packages(venv: Path) -> Path:
    (path,) = venv.glob("lib/python3*/site-packages")
    return path


def _package_files(package: Path) -> set[Path]:
    return {path for path in package.rglob("*") if "__pycache__" not in path.parts}


def test_the_wheel_installs_migrates_and_serves_outside_the_checkout(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install"]
        + ["--no-deps", "--no-index", str(wheel)],
        cwd=tmp_path,
    )
    installed = _site_packages(venv)
    # The dependencies, after the new environment's own site-packages on sys.path.
    (installed / "test-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "data"
    env = server_environment(TIMETRACKER_DATA=str(data))
    env.pop("PYTHONPATH", None)
    where = _run([str(python), "-c", "import timetracker; print(timetracker.__file__)"], elsewhere)
    assert Path(where.strip()) == installed / "timetracker" / "__init__.py"
    package = installed / "timetracker"
    assert (package / "migrations" / "env.py").is_file()
    files_before = _package_files(package)

    timetracker = str(venv / "bin" / "timetracker")
    upgraded = _run([timetracker, "db", "upgrade"], elsewhere, env)
    assert "Applied" in upgraded and "now at" in upgraded
    assert (data / "timetracker.db").is_file()
    assert not (elsewhere / "instance").exists()

    done = subprocess.run(  # noqa: S603
        [timetracker, "users", "create", "--email", "admin@example.com", "--name", "Admin"]
        + ["--admin", "--password-stdin"],
        cwd=elsewhere,
        env=env,
        input="a long enough password\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Created administrator admin@example.com" in done.stdout

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [timetracker, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with children(tmp_path) as started:
        server = started.spawn("server", command, env)

        def ready() -> bool:
            try:
                return requests.get(f"{base}/readyz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until(ready, "the installed server to be ready", server)
        login = requests.get(f"{base}/login", timeout=10)
        assert login.status_code == 200
        assert 'name="csrf_token"' in login.text
        server.stop()

    assert _package_files(package) == files_before, "something was written into the package"
