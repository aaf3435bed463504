"""Tables of the people side, kept in the index database so that several `dms serve` processes on
several machines share users, sessions, lock-out counters and the access log. `access/` decides what
goes into them; `index/access_store.py` and `index/access_log.py` read and write them."""

from __future__ import annotations

import weakref
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from .models import utcnow
from .schema import create_tables, engine_of


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    login: str = Field(primary_key=True)
    role: str
    teams: str = "[]"                        # JSON list of team names
    display_name: str = ""
    source: str = "local"                    # local | ldap
    password_hash: str | None = None         # Argon2id; None for directory and token-only accounts
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class TeamRow(SQLModel, table=True):
    __tablename__ = "teams"

    name: str = Field(primary_key=True)
    surnames: str = ""                       # initial-letter ranges, e.g. "A-F" or "A-C,S"
    created_at: datetime = Field(default_factory=utcnow)


class ApiTokenRow(SQLModel, table=True):
    __tablename__ = "api_tokens"

    token_hash: str = Field(primary_key=True)  # SHA-256 of the token; the token itself is never stored
    login: str = Field(index=True)
    label: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked: bool = False


class SessionRow(SQLModel, table=True):
    __tablename__ = "web_sessions"

    id_hash: str = Field(primary_key=True)     # SHA-256 of the cookie value
    login: str = Field(index=True)
    csrf_token: str
    client: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class LoginFailureRow(SQLModel, table=True):
    """Failed logins of one login name from all addresses since its last success: the slow global
    throttle (`locked_until`: no attempt on this login is checked before then)."""

    __tablename__ = "login_failures"

    login: str = Field(primary_key=True)
    failures: int = 0
    last_failed_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None


class LoginAttemptRow(SQLModel, table=True):
    """Failed logins in a row of one login name from one client address: the lock-out, so that one
    person's wrong passwords lock out only their own address, not the account's owner."""

    __tablename__ = "login_failures_by_client"

    login: str = Field(primary_key=True)
    client: str = Field(primary_key=True)
    failures: int = 0
    last_failed_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None


class SubstitutionRow(SQLModel, table=True):
    __tablename__ = "substitutions"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(index=True)           # the substitute
    for_login: str                           # the absent colleague
    until: date                              # last day of the substitution (inclusive)
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    end_logged: bool = False                 # its end has been written to the access log


class AccessLogRow(SQLModel, table=True):
    """One entry of the hash-chained access log: `entry_hash` = SHA-256(previous hash + this entry)."""

    __tablename__ = "access_log"

    seq: int = Field(primary_key=True)       # 1, 2, 3, ... without gaps; assigned under a lock
    at: datetime = Field(index=True)
    login: str = Field(index=True)
    role: str = ""
    client: str = ""                         # client address (or "cli")
    action: str = Field(index=True)
    object_type: str = ""                    # document | case | search | user | team | audit | ...
    object_id: str = ""
    case_number: str | None = Field(default=None, index=True)
    outcome: str = "ok"                      # ok | denied | refused | failed
    detail: str = "{}"                       # JSON (search query, reason, ...)
    prev_hash: str
    entry_hash: str


class AccessLogAnchor(SQLModel, table=True):
    """Where the chain starts after retention pruned older entries: the first kept entry and the
    hash it must carry as its predecessor. One row per pruning; the newest one counts."""

    __tablename__ = "access_log_anchor"

    id: int | None = Field(default=None, primary_key=True)
    first_seq: int
    prev_hash: str
    pruned: int = 0
    at: datetime = Field(default_factory=utcnow)


_TABLES = [UserRow.__table__, TeamRow.__table__, ApiTokenRow.__table__, SessionRow.__table__,
           LoginFailureRow.__table__, LoginAttemptRow.__table__, SubstitutionRow.__table__, AccessLogRow.__table__,
           AccessLogAnchor.__table__]
_ready: "weakref.WeakSet" = weakref.WeakSet()


def ensure_tables(db) -> Engine:
    """Create the people-side tables once per engine (cheap to call often); returns the engine."""
    engine = engine_of(db)
    if engine not in _ready:
        create_tables(engine, _TABLES)
        _ready.add(engine)
    return engine
