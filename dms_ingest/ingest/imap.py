"""Digital mail from an IMAP mailbox: fetch, archive, and only then move the mail out of the folder.

For each message in ``mail.imap.folder`` (all of them, or only unseen ones):

1. fetch it with BODY.PEEK[] (the \\Seen flag is not touched) into a temporary .eml,
2. archive it like a dropped .eml (`ingest_file` with the media type known: attachments, then
   the body whose original is the mail itself),
3. if the catalog now holds the mail (archived, or found as a duplicate): move it to
   ``processed_folder``; if the mail as a whole was refused (its copy is in the quarantine):
   move it to ``failed_folder``; if the archive was unreachable: leave it where it is, stop,
   and try again at the next poll.

A mail is never deleted or moved before its archive is stored and verified; a crash between
archiving and moving only means it is found as a duplicate next time and then moved.
"""

from __future__ import annotations

import base64
import imaplib
import logging
import re
import socket
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Settings
from ..errors import Rejected
from ..storage import sha256_file
from . import sources
from .budget import MemoryBudget
from .context import Context
from .pipeline import ingest_file
from .results import ImapOutcome, Outcome, Status, outcome_of

log = logging.getLogger(__name__)


class ImapError(Exception):
    """The mailbox cannot be used; the message is one line for the operator."""


@dataclass
class FetchedMail:
    uid: str
    source: str
    decision: Outcome
    results: list = field(default_factory=list)
    moved_to: str | None = None
    error: str | None = None

    @property
    def outcome(self) -> ImapOutcome:
        return ImapOutcome.of(self.decision)


def imap_utf7(name: str) -> str:
    """Mailbox names in IMAP's modified UTF-7 (RFC 3501 5.1.3): 'Geprüft' → 'Gepr&APw-ft'."""
    out, pending = [], []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def _quoted(mailbox: str) -> str:
    encoded = imap_utf7(mailbox)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MailFetcher:
    def __init__(self, settings: Settings, ctx: Context, *, timeout: float = 60.0):
        self.settings = settings
        self.cfg = settings.mail.imap
        self.ctx = ctx
        self.timeout = timeout
        self.conn: imaplib.IMAP4 | None = None
        self.capabilities: set[str] = set()

    # -- connection

    def connect(self) -> imaplib.IMAP4:
        cfg = self.cfg
        if not cfg.username:
            raise ImapError("mail.imap.username is not set")
        try:
            if cfg.ssl:
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(cfg.host, cfg.port, ssl_context=ssl.create_default_context(),
                                                         timeout=self.timeout)
            else:
                conn = imaplib.IMAP4(cfg.host, cfg.port, timeout=self.timeout)
                if cfg.starttls:
                    conn.starttls(ssl.create_default_context())
        except (OSError, socket.timeout, imaplib.IMAP4.error, ssl.SSLError) as exc:
            raise ImapError(f"cannot connect to {cfg.host}:{cfg.port}: {exc}") from None
        try:
            conn.login(cfg.username, cfg.password)
        except imaplib.IMAP4.error as exc:
            _logout(conn)
            raise ImapError(f"login as {cfg.username} failed: {_text(exc)}") from None
        typ, data = conn.capability()
        self.capabilities = {c.upper() for c in (data[0] or b"").decode().split()} if typ == "OK" else set()
        self.conn = conn
        return conn

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            _logout(self.conn)
            self.conn = None

    def __enter__(self) -> "MailFetcher":
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- folders

    def ensure_folder(self, name: str) -> None:
        conn = self._conn()
        typ, data = conn.list('""', _quoted(name))
        if typ == "OK" and any(item for item in data if item):
            return
        typ, data = conn.create(_quoted(name))
        if typ != "OK" and b"exist" not in b" ".join(d for d in data if isinstance(d, bytes)).lower():
            raise ImapError(f"cannot create folder {name}: {_text(data)}")
        conn.subscribe(_quoted(name))

    def _conn(self) -> imaplib.IMAP4:
        if self.conn is None:
            raise ImapError("not connected")
        return self.conn

    def move(self, uid: str, folder: str) -> None:
        """MOVE when the server has it, else COPY + \\Deleted + (UID) EXPUNGE of that one message."""
        conn = self._conn()
        target = _quoted(folder)
        if "MOVE" in self.capabilities:
            typ, data = conn.uid("MOVE", uid, target)
            if typ != "OK":
                raise ImapError(f"MOVE of message {uid} to {folder} failed: {_text(data)}")
            return
        typ, data = conn.uid("COPY", uid, target)
        if typ != "OK":
            raise ImapError(f"COPY of message {uid} to {folder} failed: {_text(data)}")
        typ, data = conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        if typ != "OK":
            raise ImapError(f"flagging message {uid} deleted failed: {_text(data)}")
        if "UIDPLUS" in self.capabilities:
            conn.uid("EXPUNGE", uid)
        else:
            conn.expunge()

    # -- fetching

    def fetch(self, *, unseen_only: bool = False, limit: int | None = None,
              on_mail: Callable[[FetchedMail], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> list[FetchedMail]:
        """Archive the messages of the folder; returns what became of each."""
        cfg = self.cfg
        handled: list[FetchedMail] = []
        own = self.conn is None
        if own:
            self.connect()
        try:
            conn = self._conn()
            for folder in (cfg.processed_folder, cfg.failed_folder):
                self.ensure_folder(folder)
            typ, data = conn.select(_quoted(cfg.folder))
            if typ != "OK":
                raise ImapError(f"cannot open folder {cfg.folder}: {_text(data)}")
            validity = (conn.untagged_responses.get("UIDVALIDITY") or [b"0"])[0].decode()
            typ, data = conn.uid("SEARCH", None, "UNSEEN" if unseen_only else "ALL")
            if typ != "OK":
                raise ImapError(f"SEARCH in {cfg.folder} failed: {_text(data)}")
            uids = (data[0] or b"").decode().split()
            for uid in uids[:limit] if limit else uids:
                if should_stop and should_stop():
                    break
                mail = self._one(uid, validity)
                handled.append(mail)
                if on_mail:
                    on_mail(mail)
                if mail.decision is Outcome.RETRY:
                    break   # the archive is unreachable: the rest waits for the next poll
        except (imaplib.IMAP4.abort, OSError) as exc:
            raise ImapError(f"connection to {cfg.host}:{cfg.port} lost: {exc}") from None
        except imaplib.IMAP4.error as exc:
            raise ImapError(f"IMAP error: {_text(exc)}") from None
        finally:
            if own:
                self.close()
        return handled

    def _too_large(self, uid: str) -> Rejected | None:
        """A message too large for the memory budget is refused by its size, before it is downloaded."""
        typ, data = self._conn().uid("FETCH", uid, "(RFC822.SIZE)")
        size = _message_size(data) if typ == "OK" else None
        try:
            if size is not None:
                MemoryBudget.of(self.settings).mail(size, f"message {uid} ({size / 2**20:,.0f} MB)")
        except Rejected as rejection:
            return rejection
        return None

    def _one(self, uid: str, validity: str) -> FetchedMail:
        cfg, conn = self.cfg, self._conn()
        source = f"imap://{cfg.username}@{cfg.host}/{cfg.folder};UIDVALIDITY={validity}/;UID={uid}"
        refused = self._too_large(uid)
        if refused is not None:   # never downloaded: the message stays on the server, in the failed folder
            self.move(uid, cfg.failed_folder)
            return FetchedMail(uid, source, Outcome.REFUSED, [], moved_to=cfg.failed_folder,
                               error=refused.message)
        typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = next((item[1] for item in data if isinstance(item, tuple) and len(item) > 1), None) \
            if typ == "OK" else None
        if raw is None:
            return FetchedMail(uid, source, Outcome.RETRY, error=f"FETCH of message {uid} failed: {_text(data)}")
        with tempfile.TemporaryDirectory(dir=self.ctx.work_dir()) as tmp:
            path = Path(tmp) / f"imap-{validity}-{uid}.eml"
            path.write_bytes(raw)
            sha = sha256_file(path)
            results = ingest_file(path, self.ctx, source=source, display_name=path.name, media_type=sources.EML)
            decision = outcome_of(results, original_archived=bool(self.ctx.catalog.find_by_original(sha)))
            if decision is Outcome.RETRY:
                error = next(r.error for r in results if r.status == Status.FAILED)
                return FetchedMail(uid, source, decision, results, error=error)
            if decision is Outcome.DONE:
                self.move(uid, cfg.processed_folder)
                return FetchedMail(uid, source, decision, results, moved_to=cfg.processed_folder)
            # Refused as a whole (its copy and reason are in the quarantine): out of the inbox folder.
            self.move(uid, cfg.failed_folder)
            errors = "; ".join(r.error or "" for r in results if r.status == Status.REJECTED)
            return FetchedMail(uid, source, decision, results, moved_to=cfg.failed_folder, error=errors or None)


def _message_size(data) -> int | None:
    for item in data or []:
        raw = item[0] if isinstance(item, tuple) else item
        match = re.search(rb"RFC822\.SIZE (\d+)", raw) if isinstance(raw, bytes) else None
        if match:
            return int(match.group(1))
    return None


def _text(value) -> str:
    if isinstance(value, Exception):
        value = value.args[0] if value.args else str(value)
    if isinstance(value, (list, tuple)):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v is not None)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return re.sub(r"\s+", " ", str(value)).strip()[:200]


def _logout(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:
        pass
