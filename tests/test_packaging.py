"""The wheel carries every template file, and an installed (not editable) scaffold works."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FRAMEWORKS, REPO_ROOT, TEMPLATES


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.skip("uv is not installed")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [_uv(), "build", "--wheel", "--out-dir", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("scaffold-*.whl"))


def test_wheel_has_every_template_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for framework in FRAMEWORKS:
        root = TEMPLATES / framework
        for file in root.rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                inside = f"scaffold/templates/{framework}/{file.relative_to(root).as_posix()}"
                assert inside in names, f"{inside} is missing from the wheel"
        assert f"scaffold/templates/_history/{framework}.bundle" in names


def test_installed_wheel_generates_an_updatable_project(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([_uv(), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [_uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True,
    )
    result = subprocess.run(
        [str(venv / "bin" / "scaffold"), "new", "fromwheel", "-f", "flask", "--defaults"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = (tmp_path / "fromwheel" / ".copier-answers.yml").read_text()
    assert "_commit: " in answers
    assert (tmp_path / "fromwheel" / ".env").is_file()
