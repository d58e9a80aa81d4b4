"""What the program remembers for its user between runs: the theme, the export folder and the
encryption recipient last used. Not data: nothing here travels in a bundle.

One small JSON file in the user's configuration folder (platformdirs), written atomically, so
a crash mid-write leaves the old file. A file that cannot be read or understood (hand-edited,
from a newer version, half a disk sector) gives the defaults and a warning in Russian; the
program never fails to start because of it. On the way to the first paint: stdlib and
platformdirs only.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

from curator_tui.domain.os_errors import os_error_text
from curator_tui.durable import atomic_write_bytes

CONFIG_ENV = "CURATOR_CONFIG"  # another file, for scripts and tests
FILE_MODE = 0o600  # the recipient and the folder say who the user sends to


@dataclass(frozen=True)
class UserSettings:
    theme: str | None = None
    export_folder: str | None = None
    recipient: str | None = None  # an age1… recipient


@dataclass(frozen=True)
class LoadedSettings:
    settings: UserSettings
    warning: str | None = None  # why the file was not used, in Russian


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    return user_config_path("curator", appauthor=False) / "settings.json"


def load_settings(path: Path) -> LoadedSettings:
    """The settings in `path`; the defaults when there is none or it cannot be used."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return LoadedSettings(UserSettings())
    except OSError as exc:
        return broken(path, os_error_text(exc))
    except (ValueError, UnicodeDecodeError):
        return broken(path, "это не файл настроек")
    if not isinstance(data, dict):
        return broken(path, "это не файл настроек")
    return LoadedSettings(UserSettings(**known_strings(data)))


def known_strings(data: dict[str, Any]) -> dict[str, str]:
    """The fields this version knows, where they are text; a newer version's extras are left."""
    names = {f.name for f in fields(UserSettings)}
    return {k: v for k, v in data.items() if k in names and isinstance(v, str) and v}


def broken(path: Path, reason: str) -> LoadedSettings:
    return LoadedSettings(
        UserSettings(),
        f"Файл настроек {path} не прочитан ({reason}): взяты настройки по умолчанию",
    )


def save_settings(path: Path, settings: UserSettings) -> str | None:
    """Write `settings`; the reason in Russian when it could not be written (else None)."""
    data = {k: v for k, v in asdict(settings).items() if v is not None}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        atomic_write_bytes(path, text.encode("utf-8"), mode=FILE_MODE)
    except OSError as exc:
        return f"Настройки не сохранены в {path}: {os_error_text(exc)}"
    return None


def remember(path: Path, **changes: str | None) -> str | None:
    """Change some settings and keep the others (a broken file is replaced by a good one)."""
    current = load_settings(path).settings
    updated = replace(current, **changes)
    return None if updated == current else save_settings(path, updated)
