"""The one configuration model: config.yaml validated at start-up, secrets from the environment."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .applications.config import ApplicationsConfig
from .classifiers.case_numbers import CaseNumberPattern

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
# A team's name: what `dms teams add` accepts and what a directory group may map to.
TEAM_NAME = re.compile(r"^[\w][\w .-]{0,63}$", re.UNICODE)


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line for the operator."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OcrConfig(_Strict):
    languages: str = "deu+eng"
    workers: int = Field(0, ge=0)
    default_dpi: int = Field(300, ge=50, le=1200)
    min_text_chars_per_page: int = Field(20, ge=0)


class ImagingConfig(_Strict):
    deskew: bool = True
    orientation: bool = True
    max_image_megapixels: float = Field(200, gt=0)
    blank_ink_ratio: float = Field(0.02, ge=0, le=0.5)
    drop_blank_pages: bool = False
    jpeg_quality: int = Field(60, ge=20, le=100)
    max_archive_dpi: int = Field(300, ge=100, le=1200)


class LimitsConfig(_Strict):
    """The memory one worker process may use; every decoder is refused with a reason before exceeding it."""

    memory_mb: int = Field(1024, ge=256)
    reserve_mb: int = Field(320, ge=0)     # interpreter, libraries, OCR model (measured 180-270 MB)
    max_pages: int = Field(5000, ge=1)     # pages per file: a 1 MB PDF can hold 10,000 empty pages (hours of work)


class ArchiveConfig(_Strict):
    pdfa_part: Literal[1, 2] = 2
    producer: str = "dms-ingest"


class LocalStoreConfig(_Strict):
    root: Path = Path("objects")


class S3StoreConfig(_Strict):
    endpoint: str = "127.0.0.1:9000"
    bucket: str = "dms-archive"
    region: str = "us-east-1"
    secure: bool = False
    retention_mode: Literal["GOVERNANCE", "COMPLIANCE"] = "GOVERNANCE"
    retention_days: int = Field(3650, ge=1)
    part_size_mb: int = Field(16, ge=5)
    max_retries: int = Field(8, ge=0)          # bounded retries with exponential backoff
    backoff_base: float = Field(0.5, gt=0)     # seconds before the first retry; doubles each time
    backoff_cap: float = Field(8.0, gt=0)      # longest single wait
    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)
    # secrets: never in the file, always from the environment
    access_key: str = Field(default_factory=lambda: os.environ.get("AWS_ACCESS_KEY_ID", ""), exclude=True)
    secret_key: str = Field(default_factory=lambda: os.environ.get("AWS_SECRET_ACCESS_KEY", ""), exclude=True)


class StorageConfig(_Strict):
    kind: Literal["local", "s3"] = "local"
    local: LocalStoreConfig = LocalStoreConfig()
    s3: S3StoreConfig = S3StoreConfig()


class IndexConfig(_Strict):
    url: str = ""


class ClassificationConfig(_Strict):
    review_threshold: float = Field(0.6, ge=0, le=1)
    case_number: CaseNumberPattern = CaseNumberPattern()
    doc_types: list[str] = [
        "antrag", "pass", "meldebescheinigung", "arbeitsvertrag", "gehaltsnachweis",
        "mietvertrag", "krankenversicherung", "anwaltsschreiben", "bescheid", "urkunde",
        "sprachzertifikat", "sonstiges",
    ]
    rules: list[dict] = []
    # An attachment follows its mail's case only if its own text could be read well enough to check
    # it names nobody else (mean OCR word confidence of its scanned pages, 0-100).
    inherit_min_ocr_confidence: float = Field(60.0, ge=0, le=100)


class InboxConfig(_Strict):
    path: Path = Path("inbox")                 # relative to DMS_HOME unless absolute
    polling: bool = False                      # network shares send no inotify events: poll them
    poll_interval: float = Field(5.0, gt=0)
    rescan_interval: float = Field(60.0, gt=0)  # full rescan in any mode, in case an event was missed
    stable_seconds: float = Field(5.0, ge=0)    # size and mtime unchanged this long before a file is taken
    # a file whose format says it is cut off (PDF without %%EOF, ...) is waited for this long after its
    # last change, then taken anyway (a cut-off file is then refused with its reason)
    incomplete_wait_seconds: float = Field(600.0, ge=0)
    workers: int = Field(0, ge=0)              # worker processes; 0 = one per CPU core
    keep_done_days: int | None = Field(None, ge=0)  # delete originals from done/ after this many days
    ignore_patterns: list[str] = [".*", "~*", "*.tmp", "*.part", "*.crdownload", "*.swp", "Thumbs.db"]


class ImapConfig(_Strict):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 993
    ssl: bool = True
    starttls: bool = False
    username: str = ""
    folder: str = "INBOX"
    processed_folder: str = "Archived"
    failed_folder: str = "Quarantine"
    poll_interval: float = Field(60.0, gt=0)
    # secret: never in the file
    password: str = Field(default_factory=lambda: os.environ.get("DMS_IMAP_PASSWORD", ""), exclude=True)


class MailConfig(_Strict):
    min_inline_image_bytes: int = Field(10_000, ge=0)  # smaller inline images are logos/signatures
    min_inline_image_pixels: int = Field(40_000, ge=0)
    imap: ImapConfig = ImapConfig()


class MigrationConfig(_Strict):
    workers: int = Field(0, ge=0)              # local worker processes; 0 = one per CPU core
    max_attempts: int = Field(3, ge=1)         # a work item failing this often stays failed (nightly retries)
    report_dir: Path = Path("reports")         # relative to DMS_HOME unless absolute


class CeleryConfig(_Strict):
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"
    queue: str = "dms-migrate"
    visibility_timeout: int = Field(3600, ge=10)  # seconds before an unacknowledged task is redelivered


class LdapRoleGroup(_Strict):
    group: str                                 # the group's cn in the directory
    role: Literal["poststelle", "sachbearbeitung", "teamleitung", "datenschutz", "admin"]


class LdapConfig(_Strict):
    enabled: bool = False
    url: str = "ldap://127.0.0.1:389"          # ldaps://... for TLS
    start_tls: bool = False
    user_base: str = ""                        # where people are, e.g. ou=people,dc=abh,dc=example
    user_filter: str = "(uid={login})"         # {login} is escaped before it is put in
    group_base: str = ""                       # where groups are
    group_filter: str = "(|(member={dn})(uniqueMember={dn})(memberUid={login}))"
    role_groups: list[LdapRoleGroup] = []      # first matching group decides the role
    team_groups: dict[str, str] = {}           # group cn -> team name
    timeout: float = Field(5.0, gt=0)
    bind_dn: str = ""                          # service account for the user search; empty = anonymous
    # secret: never in the file
    bind_password: str = Field(default_factory=lambda: os.environ.get("DMS_LDAP_BIND_PASSWORD", ""), exclude=True)

    @model_validator(mode="after")
    def _team_names_usable(self) -> "LdapConfig":
        # An empty or odd team name from a group mapping would be a scope nobody defined (a team
        # named "" once saw every case without a team), so the mapping is refused at start-up.
        bad = [team for team in self.team_groups.values() if not TEAM_NAME.match(team)]
        if bad:
            raise ValueError(f"access.ldap.team_groups maps to team names that are not allowed: {bad!r}")
        return self


class AccessConfig(_Strict):
    session_idle_minutes: int = Field(30, ge=1)       # a session unused this long ends
    session_max_hours: int = Field(12, ge=1)          # and any session after this long
    lockout_failures: int = Field(5, ge=1)            # failed logins in a row from one address before
    lockout_minutes: int = Field(15, ge=1)            # that address is locked out of that login
    throttle_failures: int = Field(20, ge=1)          # failed logins from all addresses (since the last
    throttle_seconds: int = Field(30, ge=1)           # success) after which a login takes one try per this
    log_reads: bool = True                            # false only for measurements: changes are always logged
    audit_retention_days: int = Field(730, ge=1)      # `dms audit prune` removes older entries
    anchor_dir: Path | None = None                    # `dms audit anchor` writes here (default HOME/audit-anchors)
    ldap: LdapConfig = LdapConfig()


class WebConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    workers: int = Field(1, ge=1)
    secure_cookies: Literal["auto", "always"] = "auto"  # auto: Secure when the request came over TLS
    max_upload_mb: int = Field(50, ge=1)
    forwarded_allow_ips: str = ""              # load balancers whose X-Forwarded-For/-Proto are trusted


class Settings(_Strict):
    home: Path = Path("var")
    ocr: OcrConfig = OcrConfig()
    imaging: ImagingConfig = ImagingConfig()
    limits: LimitsConfig = LimitsConfig()
    archive: ArchiveConfig = ArchiveConfig()
    storage: StorageConfig = StorageConfig()
    index: IndexConfig = IndexConfig()
    classification: ClassificationConfig = ClassificationConfig()
    inbox: InboxConfig = InboxConfig()
    mail: MailConfig = MailConfig()
    migration: MigrationConfig = MigrationConfig()
    celery: CeleryConfig = CeleryConfig()
    access: AccessConfig = AccessConfig()
    web: WebConfig = WebConfig()
    applications: ApplicationsConfig = ApplicationsConfig()

    @model_validator(mode="after")
    def _applications_use_known_types(self) -> "Settings":
        self.applications.check_against(self.classification.doc_types)
        return self

    @property
    def report_dir(self) -> Path:
        path = self.migration.report_dir
        return path if path.is_absolute() else self.home / path

    @property
    def inbox_dir(self) -> Path:
        return self.inbox.path if self.inbox.path.is_absolute() else self.home / self.inbox.path

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    @property
    def objects_dir(self) -> Path:
        root = self.storage.local.root
        return root if root.is_absolute() else self.home / root

    @property
    def index_url(self) -> str:
        return self.index.url or f"sqlite:///{(self.home / 'index.sqlite').resolve()}"


def load_settings(path: Path | None = None, home: Path | None = None) -> Settings:
    """Read and validate config.yaml; DMS_HOME (or *home*) decides where data lives."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"configuration file {path} must hold a mapping")
    raw = dict(raw)
    raw["home"] = home or os.environ.get("DMS_HOME") or raw.get("home") or "var"
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"invalid configuration in {path}: {where + ': ' if where else ''}{message}") from None
    settings.home = settings.home.resolve()
    return settings
