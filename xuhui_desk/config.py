"""Where the workstation keeps its data, and the settings stored with it."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "xuhui_desk"
DATA_DIR_ENV = "XUHUI_DESK_DATA_DIR"
DB_FILENAME = "xuhui_desk.db"
BACKUP_DIRNAME = "backups"

#: Settings the command line and the settings dialog may read and write, with their defaults.
SETTING_DEFAULTS: dict[str, str] = {
    "hub_url": "",
    "hub_token": "",
    #: "1": the lead allows a hub address without TLS (http://) that is not this computer;
    #: sync then reports itself as insecure (docs/sync.md §6).
    "allow_insecure_hub": "0",
    "tracking_url_template": "https://qyfw.xuhui.gov.cn/track/{tracking_no}",
    "language": "zh_CN",
    "specialist": "",
    "station_address": "",
    #: A folder the scanner saves into; the detail pane offers each new file there (empty: none).
    "scanner_folder": "",
}
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


def normalize_language(language: str | None) -> str:
    """A supported language code: ``en``/``en_US`` → ``en``, anything else → ``zh_CN``."""
    if language and language.replace("-", "_").lower().startswith("en"):
        return "en"
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def default_data_dir() -> Path:
    """The platform's per-user data folder (platformdirs), imported only when needed."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``XUHUI_DESK_DATA_DIR``, then the platform default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIRNAME
