"""Application settings: environment variables and an optional `.env` file, readable from every layer.

Also the language pair the console speaks, since `DEFAULT_LANGUAGE` must be one of it and this is the
lowest layer; advisory.vocab hands it on to the rest.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Language(StrEnum):
    da = "da"
    en = "en"


LANGUAGES: tuple[str, ...] = tuple(language.value for language in Language)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'console.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    DATABASE_URL: str = DEFAULT_SQLITE_URL
    DEFAULT_LANGUAGE: Language = Language.da
    # Fractions are allowed (tests use seconds); the idle time is checked on every action.
    SESSION_IDLE_MINUTES: float = 30
    # The longest time between two idle checks of an open page (the check also comes when the idle time ends).
    SESSION_WATCH_SECONDS: float = 30
    # However active, a login lasts at most this long (the session cookie expires with it).
    SESSION_MAX_HOURS: float = 12
    # Signs the session cookie. Empty: a random key kept in the database, shared by every instance.
    SESSION_SECRET: SecretStr = SecretStr("")
    # Single sign-on (st.login, [auth] in .streamlit/secrets.toml): an identity's e-mail at this domain
    # is the console user named by its local part. Empty: nobody is matched.
    SSO_EMAIL_DOMAIN: str = ""
    RETENTION_DAYS: int = 730
    # Failed logins from one client address (any usernames) within LOGIN_ADDRESS_WINDOW_MINUTES that lock
    # that address out for as long; 0 turns the per-address limit off.
    LOGIN_ADDRESS_MAX_FAILURES: int = 20
    LOGIN_ADDRESS_WINDOW_MINUTES: float = 15
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks, e.g.
    # "127.0.0.1,10.0.0.0/8"). Empty: the connection's own address is the client's, the header is ignored.
    TRUSTED_PROXIES: str = ""

    SMTP_HOST: str = ""
    SMTP_PORT: int = 587
    SMTP_SECURITY: Literal["starttls", "ssl", "none"] = "starttls"
    SMTP_USER: str = ""
    SMTP_PASSWORD: SecretStr = SecretStr("")  # never shown by repr() or in logs
    SMTP_FROM: str = ""
    SMTP_TIMEOUT_SECONDS: float = 10.0

    # The advice line as printed in written guidance; empty: "see the opening hours on osteoporose.dk".
    ADVICE_LINE_PHONE: str = ""
    ADVICE_LINE_HOURS: str = ""


@lru_cache
def get_settings() -> Settings:
    return Settings()
