"""The USB folder's scripts and what the install proof relies on.

The full proof (build the Linux wheelhouse, install it offline, run the program) is
`make usb-check`, run by `make test`: it needs the package index to build the folder, so it
is a Makefile step, not a test here. These tests run the real scripts where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from curator_tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "packaging" / "usb"


def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "curator"
    shutil.copytree(TEMPLATES, folder)
    return folder


def run_sh(script: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(script)],
        env={"HOME": str(script.parent), "PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version_names_the_installed_release(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "«Куратор» (curator) 0.1.0"


def test_install_without_a_suitable_python_says_what_to_do(tmp_path: Path) -> None:
    result = run_sh(stick(tmp_path) / "install.sh", CURATOR_PYTHON=str(tmp_path / "нет-python"))
    assert result.returncode == 1
    assert "не найден Python 3.11, 3.12 или 3.13" in result.stderr
    assert "УСТАНОВКА.txt" in result.stderr


def test_install_from_a_folder_copied_without_its_wheels_refuses(tmp_path: Path) -> None:
    folder = stick(tmp_path)
    result = run_sh(folder / "install.sh", CURATOR_PYTHON=sys.executable)
    assert result.returncode == 1
    assert "скопируйте папку curator с флешки целиком" in result.stderr
    assert not (folder / "venv").exists()


def test_with_no_wheels_in_the_folder_pip_fetches_nothing_and_fails(tmp_path: Path) -> None:
    # --no-index: pip may take packages from the folder only, never from the network.
    folder = stick(tmp_path)
    (folder / "wheels" / "linux").mkdir(parents=True)
    result = run_sh(
        folder / "install.sh", CURATOR_PYTHON=sys.executable, PIP_CONFIG_FILE="/dev/null"
    )
    assert result.returncode == 1, result.stdout
    assert "pip не смог установить программу" in result.stderr
    assert (folder / "venv" / "bin" / "python").exists()  # the venv is made next to the scripts
    assert not (folder / "venv" / "bin" / "curator").exists()


def test_the_launcher_asks_for_the_install_first(tmp_path: Path) -> None:
    result = run_sh(stick(tmp_path) / "curator.sh")
    assert result.returncode == 1
    assert "сначала запустите" in result.stderr


def test_windows_scripts_install_offline_from_their_own_folder() -> None:
    install = (TEMPLATES / "install.cmd").read_text(encoding="utf-8")
    assert "chcp 65001" in install  # Russian messages on a cp866 console
    assert '--no-index --find-links "%WHEELS%"' in install
    assert 'set "WHEELS=%HERE%wheels\\windows"' in install
    assert "serve --open" in (TEMPLATES / "browser.cmd").read_text(encoding="utf-8")


def test_the_instructions_name_every_script_on_the_stick() -> None:
    text = (TEMPLATES / "УСТАНОВКА.txt").read_text(encoding="utf-8")
    for script in sorted(p.name for p in TEMPLATES.iterdir() if p.suffix in {".sh", ".cmd"}):
        assert script in text, script
