"""Settings (one class, read once) and source specifications from `whoknows.toml` or arguments.

Precedence, lowest first: defaults, `whoknows.toml`, environment (``WHOKNOWS_*``),
command-line options.

Example `whoknows.toml`::

    data_dir = "whoknows-data"
    model = "all-MiniLM-L6-v2"

    [[sources]]
    kind = "wiki"
    path = "sample_org/wiki"
    options = { base_url = "https://wiki.example.com" }
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexer.connectors import KINDS
from indexer.errors import ConfigError
from indexer.models import SourceSpec

_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_ORIGIN = re.compile(r"'self'|https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")
FILE_KINDS = frozenset({"bios", "mediawiki"})
"""Kinds whose path is one file; their default source name drops the suffix."""


class SourceConfig(BaseModel):
    """One ``[[sources]]`` table of the config file."""

    kind: str
    path: str
    name: str | None = None
    options: dict[str, Any] = {}

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown source kind {value!r}; expected one of {', '.join(KINDS)}")
        return value


class Settings(BaseSettings):
    """Every setting of WhoKnows. Environment variables are ``WHOKNOWS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WHOKNOWS_", extra="ignore")

    data_dir: Path = Path("whoknows-data")
    database_url: SecretStr | None = None
    """``postgresql://...``: keep the index in PostgreSQL + pgvector instead of ``data_dir``
    (which still holds API keys and hidden people for now). Absent: the embedded backend."""
    model: str = "all-MiniLM-L6-v2"
    chunk_tokens: int = 256
    chunk_overlap: int = 32
    embed_batch_size: int = 32
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    """How the model runs: ONNX Runtime fp32 (the torch vectors, 3-4x faster a query), int8, or
    sentence-transformers on torch."""
    query_cache_size: int = 1024
    """Query vectors the server remembers (LRU); 0 turns the cache off."""
    sources: list[SourceConfig] = []
    config_dir: Path | None = None
    slack_signing_secret: SecretStr | None = None
    teams_hmac_key: SecretStr | None = None
    mattermost_token: SecretStr | None = None
    chat_groups: list[str] = []
    """Access groups of chat-tool users: they see public documents and these groups' ones."""
    cors_origins: list[str] = []
    allow_anonymous: bool = False
    gateway_groups_header: str = "X-WhoKnows-Groups"
    gateway_secret: SecretStr | None = None
    rate_limit_per_minute: int = 120
    rate_limit_burst: int = 20
    evidence_half_life_days: float | None = None
    """Freshness of evidence (ranking): None keeps the ranking's default (off)."""
    activity_half_life_days: float | None = None
    """Half-life of the recent-answering prior (ranking): None keeps the default (10 days)."""
    activity_weight: float | None = Field(default=None, ge=0)
    """Exponent of that prior: None keeps the default (4, tuned on validation); lower it to let
    topical fit count more against recent answering, 0 turns the prior off."""
    reload_interval: float = 1.0
    """Seconds between a server's checks for a new index generation; 0 turns hot reload off."""
    max_request_bytes: int = Field(default=1_048_576, ge=1)
    """Largest request body the server reads (bytes); a bigger one is refused with 413 unread."""
    trusted_proxies: list[str] = []
    """Addresses (or ``*``) whose ``X-Forwarded-For``/``-Proto`` the server believes; empty
    trusts none, so rate limits key on the connecting address."""
    metrics_open: bool = False
    """Serve ``/metrics`` without a key (only on a network where every client is trusted)."""
    auth_failures_per_minute: int = Field(default=10, ge=1)
    """Failed credentials (unknown or revoked key, wrong gateway secret) an address may send a
    minute before it gets 429 for every credentialed request."""
    frame_ancestors: list[str] = []
    """Origins allowed to show the search page in a frame; empty allows none."""

    @field_validator("frame_ancestors")
    @classmethod
    def _ancestors_are_origins(cls, value: list[str]) -> list[str]:
        """Each entry goes into a CSP header: an origin such as ``https://intranet.example.com``."""
        for origin in value:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin; write it like https://intranet.example.com "
                    "(a leading *. allowed in the host, or 'self')"
                )
        return value

    @field_validator("gateway_secret")
    @classmethod
    def _blank_secret_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        """An empty gateway secret (say, an unset variable in a compose file) trusts no one."""
        return value if value is not None and value.get_secret_value().strip() else None


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Read settings from the config file, the environment and explicit overrides.

    Relative source paths and ``data_dir`` in the config file are resolved
    against the file's folder. ``None`` overrides are ignored.
    """
    file_values: dict[str, Any] = {}
    if config is not None:
        file_values = _read_toml(config)
        base = config.resolve().parent
        file_values["config_dir"] = base
        if "data_dir" in file_values:
            file_values["data_dir"] = base / Path(file_values["data_dir"]).expanduser()
        for source in file_values.get("sources", []):
            if isinstance(source, dict) and "path" in source:
                source["path"] = str(base / Path(str(source["path"])).expanduser())
    try:
        from_env = Settings()
        env_values = {name: getattr(from_env, name) for name in from_env.model_fields_set}
        merged = {**file_values, **env_values}
        merged.update({k: v for k, v in overrides.items() if v is not None})
        return Settings(**merged)
    except ValidationError as exc:
        where = f"{config}" if config else "settings"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{where}: {problems}") from exc


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc


def parse_source_argument(argument: str) -> SourceConfig:
    """Parse ``KIND:PATH`` as given on the command line.

    >>> parse_source_argument("wiki:docs/handbook").path
    'docs/handbook'
    """
    kind, sep, path = argument.partition(":")
    if not sep or not path:
        raise ConfigError(
            f"source {argument!r} must look like KIND:PATH with KIND one of {', '.join(KINDS)}"
        )
    try:
        return SourceConfig(kind=kind, path=path)
    except ValidationError as exc:
        raise ConfigError(f"source {argument!r}: {exc.errors()[0]['msg']}") from exc


def source_specs(sources: list[SourceConfig]) -> list[SourceSpec]:
    """Give every source a unique name (its own, else the path's last part) and check paths."""
    specs: list[SourceSpec] = []
    used: set[str] = set()
    for source in sources:
        path = Path(source.path).expanduser()
        default = path.stem if source.kind in FILE_KINDS else path.name
        base = source.name or _NAME.sub("-", default) or source.kind
        name = base
        if name in used and source.name:
            raise ConfigError(f"two sources are named {name!r}; names must be unique")
        suffix = 2
        while name in used:
            name = f"{base}-{suffix}"
            suffix += 1
        used.add(name)
        specs.append(SourceSpec(source.kind, str(path), name, dict(source.options)))
    return specs
