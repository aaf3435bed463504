"""E-mail as MIME: parse a message, read its headers and texts, walk its parts. No pipeline here.

`mailplan` turns a parsed mail into the plan the pipeline carries out; `textpdf` renders text.
"""

from __future__ import annotations

import email
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from ..errors import Rejected
from .names import NAME_MAX, fit_name

# Parts that are never separate documents: they stay inside the archived original mail.
_SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature",
                    "application/pgp-signature", "application/pgp-keys"}
_MAIL_FIELDS = ("from", "to", "subject", "date", "message-id", "received", "mime-version", "sender")


# ----------------------------------------------------------------------------- parsing


def parse_mail(data: bytes) -> EmailMessage:
    """Parse an RFC 5322 message, or refuse it as 'not a valid e-mail'."""
    if not data.strip():
        raise Rejected("not_email", "the file is empty")
    if b"\x00" in data[:4096]:
        raise Rejected("not_email", "binary data, no header fields")
    msg = email.message_from_bytes(data, policy=policy.default)
    names = {name.lower() for name in msg.keys()}
    if not names:
        raise Rejected("not_email", "no header fields")
    if not names & set(_MAIL_FIELDS):
        raise Rejected("not_email", "none of From, To, Subject, Date or Message-ID")
    return msg  # type: ignore[return-value]


def looks_like_mail(path: Path) -> bool:
    """A header block at the start (``Name: value`` lines), however exotic the first field is."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    lines = head.lstrip(b"\r\n").split(b"\n")[:4]
    if not lines or not re.match(rb"^[!-9;-~]+:", lines[0]):
        return False
    try:
        parse_mail(head + b"\n\n")
    except Rejected:
        return False
    return True


def header(msg: EmailMessage, name: str) -> str:
    """A header as readable text; malformed headers fall back to their raw decoded value."""
    try:
        value = msg.get(name)
        text = "" if value is None else str(value)
    except Exception:  # policy.default can raise on pathological header syntax
        raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), "")
        try:
            text = str(make_header(decode_header(str(raw))))
        except Exception:
            text = str(raw)
    return " ".join(text.split())


def mail_message_id(msg: EmailMessage, sha256: str) -> str:
    value = header(msg, "Message-ID")
    return value if value else f"sha256:{sha256}"


# ----------------------------------------------------------------------------- file names


def _decode_words(name: str) -> str:
    if "=?" in name:
        try:
            return str(make_header(decode_header(name)))
        except Exception:
            return name
    return name


def safe_filename(name: str | None, fallback: str) -> str:
    """A file name that is only a name: no directories, no control or bidi characters, not hidden."""
    name = _decode_words(name or "")
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    # Cc (controls), Cf (format: RTL overrides, zero-width), Co/Cn: never part of a name.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = name.strip().lstrip(".").strip()
    if not name or name in {".", ".."}:
        name = fallback
    return fit_name(name, room=NAME_MAX - 120)   # at most 120 bytes, whatever the script


def _fallback_name(part: EmailMessage, number: int) -> str:
    ctype = part.get_content_type()
    ext = {"application/pdf": "pdf", "image/tiff": "tif", "image/jpeg": "jpg", "image/png": "png",
           "image/gif": "gif", "message/rfc822": "eml", "text/plain": "txt", "text/html": "html"}.get(ctype, "bin")
    return f"attachment-{number}.{ext}"


# ----------------------------------------------------------------------------- HTML to text


class _HtmlText(HTMLParser):
    """HTML to plain text that keeps the line structure: blocks become lines, cells are tabbed."""

    _SKIP = {"script", "style", "head", "title", "template", "noscript"}
    _BLOCK = {"p", "div", "section", "article", "header", "footer", "blockquote", "ul", "ol", "dl", "table",
              "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "hr", "form", "fieldset", "center"}
    _LINE = {"br", "tr", "li", "dt", "dd", "caption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skip = 0
        self.pre = 0

    def _newline(self, count: int = 1) -> None:
        text = "".join(self.chunks[-3:])
        have = len(text) - len(text.rstrip("\n")) if text.strip(" ") else count
        self.chunks.append("\n" * max(0, count - have))

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skip += 1
        elif tag == "pre":
            self.pre += 1
            self._newline(2)
        elif tag in self._BLOCK:
            self._newline(2 if tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"} else 1)
            if tag == "hr":
                self.chunks.append("-" * 40 + "\n")
        elif tag in self._LINE:
            self._newline(1)
            if tag == "li":
                self.chunks.append("• ")
        elif tag in {"td", "th"}:
            self.chunks.append("\t")
        elif tag == "img" and not self.skip:
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self.chunks.append(f"[{alt.strip()}]")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self._SKIP:
            self.skip -= 1

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._newline(2)
        elif tag in self._BLOCK:
            self._newline(2 if tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"} else 1)

    def handle_data(self, data):
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"[ \t\r\n\f\v]+", " ", data)
            if self.chunks and self.chunks[-1].endswith(("\n", "\t")) or not self.chunks:
                data = data.lstrip(" ")
        self.chunks.append(data)


def html_to_text(markup: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything left is taken as stripped text
        return re.sub(r"<[^>]*>", " ", html.unescape(markup))
    lines = [line.rstrip() for line in "".join(parser.chunks).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: join soft-broken lines (ending in a space) back into paragraphs."""
    out: list[str] = []
    buffer = ""
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
            continue
        out.append(buffer + line)
        buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)


def decode_text(raw: bytes, declared: str | None) -> str:
    """Bytes of a text part as text: the declared charset if the bytes really are in it, else UTF-8,
    else Windows-1252 (mail programs often declare UTF-8 for Latin-1 text, or nothing at all)."""
    for charset in dict.fromkeys(c for c in (declared, "utf-8", "cp1252") if c):
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("cp1252", "replace")


def part_text(part: EmailMessage) -> str:
    """The decoded text of a text/* part, whatever charset it claims."""
    try:
        raw = part.get_payload(decode=True) or b""
        text = decode_text(raw, part.get_content_charset())
    except Exception:  # a payload that will not decode at all: what the parser makes of it
        text = str(part.get_payload())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_subtype() == "html":
        return html_to_text(text)
    if part.get_param("format", "").lower() == "flowed":
        text = _unflow(text, part.get_param("delsp", "").lower() == "yes")
    return text.strip("\n")


# ----------------------------------------------------------------------------- MIME walk


@dataclass
class Attachment:
    part: EmailMessage
    name: str
    inline: bool


@dataclass
class MailParts:
    texts: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    nested: list[tuple[str, EmailMessage]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _pick_alternative(children: list[EmailMessage]) -> EmailMessage | None:
    """The readable version of a multipart/alternative: plain text, else HTML, else the richest part."""
    for wanted in ("text/plain", "text/html"):
        for child in children:
            if child.get_content_type() == wanted and _has_text(child):
                return child
    for child in children:
        if child.is_multipart():
            return child
    return children[-1] if children else None


def _has_text(part: EmailMessage) -> bool:
    try:
        return bool(part_text(part).strip())
    except Exception:
        return False


def _is_attachment(part: EmailMessage) -> bool:
    return part.get_content_disposition() == "attachment" or bool(part.get_filename())


def walk_mail(msg: EmailMessage) -> MailParts:
    """Split a message into body texts, attachments and nested messages, in reading order."""
    parts = MailParts()
    counter = [0]

    def visit(part: EmailMessage, text_allowed: bool, parent: str = "") -> None:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            counter[0] += 1
            payload = part.get_payload()
            nested = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(nested, EmailMessage):
                subject = header(nested, "Subject")[:80]
                name = safe_filename(part.get_filename() or (f"{subject}.eml" if subject else None),
                                     f"message-{counter[0]}.eml")
                parts.nested.append((name, nested))
            return
        if part.is_multipart():
            children = list(part.iter_parts())
            if ctype == "multipart/alternative":
                chosen = _pick_alternative(children)
                for child in children:
                    visit(child, text_allowed and child is chosen, ctype)
            elif ctype == "multipart/signed" and children:
                visit(children[0], text_allowed, ctype)
                for child in children[1:]:
                    if child.get_content_type() in _SIGNATURE_TYPES:
                        parts.skipped.append(f"signature {child.get_content_type()} kept in the original mail")
                    else:
                        visit(child, text_allowed, ctype)
            else:
                for child in children:
                    visit(child, text_allowed, ctype)
            return
        counter[0] += 1
        if ctype in _SIGNATURE_TYPES:
            parts.skipped.append(f"signature {ctype} kept in the original mail")
            return
        if ctype in ("text/plain", "text/html") and not _is_attachment(part):
            if text_allowed:
                text = part_text(part)
                if text.strip():
                    parts.texts.append(text)
            return
        if not _is_attachment(part) and not (part.get_payload(decode=True) or b"").strip():
            return
        # Inline: shown inside the text (logos, signatures), as opposed to attached for its own sake.
        inline = part.get_content_disposition() == "inline" or (
            part.get("Content-ID") is not None
            and (parent == "multipart/related" or part.get_content_disposition() is None))
        parts.attachments.append(Attachment(part, safe_filename(part.get_filename(),
                                                                _fallback_name(part, counter[0])), inline))

    visit(msg, True)
    return parts


def tiny_inline_image(data: bytes, min_bytes: int, min_pixels: int) -> tuple[int, int] | None:
    """The pixel size of an image too small to be a document (logo, signature), else None."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
    except Exception:
        return None
    if len(data) < min_bytes or width * height < min_pixels:
        return width, height
    return None


