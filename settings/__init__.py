"""Application settings: environment variables and an optional `.env` file.

Lives in `db/` because the database layer is the first to need them and `console/` sits above it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'console.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    DATABASE_URL: str = DEFAULT_SQLITE_URL
    DEFAULT_LANGUAGE: Literal["da", "en"] = "da"
    SESSION_IDLE_MINUTES: int = 30
    RETENTION_DAYS: int = 730

    SMTP_HOST: str = ""
    SMTP_PORT: int = 587
    SMTP_SECURITY: Literal["starttls", "ssl", "none"] = "starttls"
    SMTP_USER: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_FROM: str = ""
    SMTP_TIMEOUT_SECONDS: float = 10.0

    # Printed on letters to members. Empty: the letter sends them to the opening hours on osteoporose.dk.
    ADVICE_LINE_PHONE: str = ""
    ADVICE_LINE_HOURS: str = ""


@lru_cache
def get_settings() -> Settings:
    return Settings()
