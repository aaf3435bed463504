"""What to do with one e-mail: the plan (attachments, nested mails, body) that the pipeline carries out.

    parse → walk the MIME tree (nested messages too, as deep as _MAX_NESTING) → every attachment
    written out with its form (a file the pipeline reads, text or HTML to render, an Office
    document to convert) → the body document's text: header block, list of attachments, texts

Planning decides and archives nothing: `pipeline` takes the plan, sends each part through the
guarded entry and archives the body last (its original is the mail itself, so once it is in the
catalog the mail counts as done, and a mail interrupted half-way is simply taken again).
Skipped parts (inline logos, signatures) stay inside the archived original mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import Enum
from pathlib import Path

from ..classifiers.case_numbers import CaseNumberPattern, find_case_numbers
from ..config import MailConfig
from ..errors import Rejected
from . import sources
from .mime import header, mail_message_id, parse_mail, tiny_inline_image, walk_mail
from .office import is_office
from .textpdf import COLUMNS, wrap_lines

_TEXT_ATTACHMENT_TYPES = {"text/plain", "text/html", "text/csv", "text/markdown"}
_TEXT_EXTENSIONS = {"text/html": "html", "text/csv": "csv", "text/markdown": "md"}
_MAX_NESTING = 5


class PartForm(str, Enum):
    """How the pipeline reads an attachment."""

    FILE = "file"        # PDF, image, mail: read like any dropped file
    TEXT = "text"        # plain text: rendered to a born-digital PDF
    HTML = "html"        # HTML made text, then rendered
    OFFICE = "office"    # converted to PDF with LibreOffice


@dataclass
class PlannedPart:
    path: Path                 # the attachment's bytes, written out
    name: str                  # as shown in the mail ("fwd.eml/scan.pdf" inside a forwarded mail)
    content_type: str
    form: PartForm
    extension: str             # the original's extension where the pipeline does not sniff it


@dataclass
class MailPlan:
    message_id: str
    subject: str
    case_hint: str | None                 # the subject's or the first text's number (the pipeline passes the mail's resolved case instead)
    body_case_hint: str | None = None     # for the body: also a number only a nested message names
    parts: list[PlannedPart] = field(default_factory=list)
    body_lines: list[str] = field(default_factory=list)   # the body document's text, wrapped
    warnings: list[str] = field(default_factory=list)     # for the body's record


def find_case_number(text: str, pattern: CaseNumberPattern | None) -> str | None:
    """The first case number in *text* in the office's configured layout (exact ones before repaired)."""
    hits = find_case_numbers(text, pattern)
    exact = [h for h in hits if not h.repaired]
    chosen = exact or hits
    return chosen[0].canonical if chosen else None


def plan_mail(path: Path, sha256: str, work_dir: Path, *, mail: MailConfig,
              case_pattern: CaseNumberPattern) -> MailPlan:
    """Parse the mail at *path* and write its attachments into *work_dir*; refuses a non-mail."""
    msg = parse_mail(path.read_bytes())
    subject = header(msg, "Subject")
    first_text = "\n".join(walk_mail(msg).texts)
    plan = MailPlan(mail_message_id(msg, sha256), subject,
                    find_case_number(subject, case_pattern) or find_case_number(first_text, case_pattern))
    walk = _Walk(plan, work_dir, mail)
    walk.message(msg, "", 0)
    lines = header_block(msg)
    if walk.listing:
        lines.append(f"{'Anhänge:':<12}{walk.listing[0]}")
        lines.extend(" " * 12 + item for item in walk.listing[1:])
    plan.body_case_hint = plan.case_hint or find_case_number("\n".join(walk.body), case_pattern)
    plan.body_lines = wrap_lines("\n".join(lines), indent=12) + ["-" * COLUMNS] + wrap_lines("\n".join(walk.body))
    return plan


def header_block(msg: EmailMessage) -> list[str]:
    lines = []
    for label, name in (("Von", "From"), ("An", "To"), ("Cc", "Cc"), ("Datum", "Date"), ("Betreff", "Subject"),
                        ("Message-ID", "Message-ID")):
        value = header(msg, name)
        if value or name in ("From", "Subject", "Date"):
            lines.append(f"{label + ':':<12}{value}")
    return lines


class _Walk:
    """One pass over a message and the messages inside it, filling the plan."""

    def __init__(self, plan: MailPlan, work_dir: Path, mail: MailConfig):
        self.plan, self.work_dir, self.mail = plan, work_dir, mail
        self.listing: list[str] = []
        self.body: list[str] = []
        self.used_names: set[str] = set()
        self.counter = 0

    def message(self, msg: EmailMessage, prefix: str, depth: int) -> None:
        parts = walk_mail(msg)
        self.plan.warnings.extend(parts.skipped)
        if depth:
            self.body.extend(["", "", "=" * min(COLUMNS, 60), f"Angehängte Nachricht: {prefix.rstrip('/')}", ""])
            self.body.extend(wrap_lines("\n".join(header_block(msg)), indent=12))
            self.body.append("-" * min(COLUMNS, 60))
        self.body.extend(["", "\n\n".join(parts.texts)] if parts.texts else ["", "(kein Text)"])
        for attachment in parts.attachments:
            self.attachment(attachment, prefix, depth)
        for name, nested in parts.nested:
            if depth >= _MAX_NESTING:
                self.plan.warnings.append(f"message {prefix}{name} nested too deep; kept in the original mail")
                continue
            name = _unique(name, self.used_names)
            self.listing.append(f"{prefix}{name} (message/rfc822)")
            self.message(nested, f"{prefix}{name}/", depth + 1)

    def attachment(self, attachment, prefix: str, depth: int) -> None:
        data = attachment.part.get_payload(decode=True) or b""
        ctype = attachment.part.get_content_type()
        name = _unique(attachment.name, self.used_names)
        shown = f"{prefix}{name}"
        if attachment.inline and ctype.startswith("image/"):
            tiny = tiny_inline_image(data, self.mail.min_inline_image_bytes, self.mail.min_inline_image_pixels)
            if tiny:
                self.plan.warnings.append(f"inline image {shown} skipped ({tiny[0]}x{tiny[1]} px, {len(data)} "
                                          f"bytes: logo or signature; kept in the original mail)")
                self.listing.append(f"{shown} ({ctype}, {_size(len(data))}, übersprungen: kleines Bild)")
                return
        self.listing.append(f"{shown} ({ctype}, {_size(len(data))})")
        self.counter += 1
        folder = self.work_dir / f"{self.counter:04d}"
        folder.mkdir(parents=True)
        path = folder / name
        path.write_bytes(data)
        kind = _sniff(path)
        # A mail forwarded as a file: open it like message/rfc822.
        if depth < _MAX_NESTING and (ctype == "message/rfc822" or Path(name).suffix.lower() == ".eml"
                                     or kind == sources.EML):
            try:
                nested = parse_mail(data)
            except Rejected:
                nested = None
            if nested is not None:
                self.message(nested, f"{shown}/", depth + 1)
                return
        if is_office(name, ctype, data) and kind != sources.PDF:
            form, ext = PartForm.OFFICE, Path(name).suffix.lstrip(".").lower() or "bin"
        elif ctype in _TEXT_ATTACHMENT_TYPES and kind is None:
            form = PartForm.HTML if ctype == "text/html" else PartForm.TEXT
            ext = _TEXT_EXTENSIONS.get(ctype, "txt")
        else:
            form, ext = PartForm.FILE, ""
        self.plan.parts.append(PlannedPart(path, shown, ctype, form, ext))


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    stem, suffix = Path(name).stem, Path(name).suffix
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    used.add(candidate.lower())
    return candidate


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def _sniff(path: Path) -> str | None:
    try:
        return sources.sniff(path)[0]
    except Rejected:
        return None
