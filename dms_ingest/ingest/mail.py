"""E-mail: one .eml becomes a body document plus one document per attachment, linked by Message-ID.

    parse (email, policy.default) → walk the MIME tree → attachments through the pipeline
    (`ingest_file`, part="attachment") → body text (plain, or HTML made text) with a header block
    rendered as a born-digital PDF → archived as the body document, whose original is the mail
    file itself, byte for byte (part="body").

The body is archived last: it carries the mail's SHA-256 as its original, so once it is in the
catalog the mail counts as done, and a mail interrupted half-way is simply taken again (its
attachments are then found as duplicates). Nothing that is refused is dropped: every rejected
attachment is quarantined with its reason, and skipped parts (inline logos, signatures) stay
inside the archived original mail.
"""

from __future__ import annotations

import email
import html
import io
import logging
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from ..errors import Rejected
from ..storage import StoreError, sha256_file
from . import sources
from .classify import classify_document
from .context import Context
from .document import Document
from .names import NAME_MAX, fit_name

log = logging.getLogger(__name__)

# Parts that are never separate documents: they stay inside the archived original mail.
_SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature",
                    "application/pgp-signature", "application/pgp-keys"}
_OFFICE_EXTENSIONS = {".doc", ".docx", ".odt", ".rtf", ".docm", ".dot", ".dotx", ".xls", ".xlsx", ".ods",
                      ".ppt", ".pptx", ".odp"}
_OFFICE_TYPES = {"application/msword", "application/rtf", "text/rtf", "application/vnd.ms-excel",
                 "application/vnd.ms-powerpoint"}
_OFFICE_TYPE_PREFIXES = ("application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.")
_TEXT_ATTACHMENT_TYPES = {"text/plain", "text/html", "text/csv", "text/markdown"}
_MAIL_FIELDS = ("from", "to", "subject", "date", "message-id", "received", "mime-version", "sender")
_MAX_NESTING = 5
# A text attachment is rendered to at most this many pages; its full text stays in the original.
TEXT_ATTACHMENT_MAX_PAGES = 25
OFFICE_TIMEOUT = 180


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


def part_text(part: EmailMessage) -> str:
    """The decoded text of a text/* part, whatever charset it claims."""
    try:
        text = part.get_content()
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
    except Exception:
        raw = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        try:
            text = raw.decode(charset, "replace")
        except LookupError:
            text = raw.decode("utf-8", "replace")
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


# ----------------------------------------------------------------------------- rendering text to PDF

_PAGE = (595.276, 841.89)       # A4 in points
_MARGIN = 56.0
_FONT_SIZE = 9.0
_LEADING = 12.0
_MONO_ADVANCE = 0.602           # DejaVu Sans Mono and Courier: every glyph is 0.6 em wide
_COLUMNS = int((_PAGE[0] - 2 * _MARGIN) / (_FONT_SIZE * _MONO_ADVANCE))
_ROWS = int((_PAGE[1] - 2 * _MARGIN) / _LEADING)
_DEJAVU_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


def wrap_lines(text: str, columns: int = _COLUMNS, indent: int = 0) -> list[str]:
    """Hard-wrap to the page width, at spaces where possible; existing line breaks are kept.

    Continuation lines are indented by *indent* spaces (the header block's values line up).
    """
    out: list[str] = []
    for line in text.split("\n"):
        line = line.expandtabs(4).rstrip()
        line = "".join(ch for ch in line if ch == " " or unicodedata.category(ch)[0] != "C")
        while len(line) > columns:
            cut = line.rfind(" ", max(columns // 2, indent + 1), columns + 1)
            cut = cut if cut > 0 else columns
            out.append(line[:cut].rstrip())
            line = " " * indent + line[cut:].lstrip(" ")
        out.append(line)
    return out


@lru_cache(maxsize=1)
def _mono_font() -> tuple[bytes, dict[int, int], dict] | None:
    """DejaVu Sans Mono: its bytes, codepoint → glyph id, and metrics; None if not installed."""
    if not _DEJAVU_MONO.exists():
        return None
    from fontTools.ttLib import TTFont

    data = _DEJAVU_MONO.read_bytes()
    font = TTFont(io.BytesIO(data))
    cmap = {cp: font.getGlyphID(name) for cp, name in font.getBestCmap().items()}
    upm = font["head"].unitsPerEm
    scale = 1000 / upm
    head, hhea = font["head"], font["hhea"]
    metrics = {"bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
               "ascent": round(hhea.ascent * scale), "descent": round(hhea.descent * scale),
               "width": round(font["hmtx"][font.getBestCmap()[ord("M")]][0] * scale),
               "name": font["name"].getDebugName(6) or "DejaVuSansMono"}
    return data, cmap, metrics


def _to_unicode(used: dict[int, str]) -> bytes:
    entries = []
    for gid, char in sorted(used.items()):
        utf16 = char.encode("utf-16-be").hex().upper()
        entries.append(f"<{gid:04X}> <{utf16}>")
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks) + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode()


def render_text_pdf(lines: list[str], path: Path, *, title: str = "", max_pages: int | None = None) -> int:
    """Write lines as a born-digital A4 PDF (a real text layer, no OCR needed); return the page count.

    Uses DejaVu Sans Mono (all of Unicode that it covers, embedded as a CID font with a ToUnicode
    map) when installed, else the standard Courier font (Windows-1252 characters only).
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    pages = [lines[i:i + _ROWS] for i in range(0, max(len(lines), 1), _ROWS)] or [[]]
    if max_pages is not None:
        pages = pages[:max_pages]
    pdf = pikepdf.new()
    mono = _mono_font()
    used: dict[int, str] = {}
    if mono:
        data, cmap, metrics = mono
        question = cmap.get(ord("?"), 0)

        def encode(line: str) -> bytes:
            codes = []
            for ch in line:
                gid = cmap.get(ord(ch))
                if gid is None:
                    gid, ch = question, "?"
                used.setdefault(gid, ch)
                codes.append(f"{gid:04X}")
            return b"<" + "".join(codes).encode() + b">"

        descriptor = pdf.make_indirect(Dictionary(
            Type=Name.FontDescriptor, FontName=Name("/" + metrics["name"].replace(" ", "")), Flags=33,
            FontBBox=Array(metrics["bbox"]), ItalicAngle=0, Ascent=metrics["ascent"],
            Descent=metrics["descent"], CapHeight=metrics["ascent"], StemV=80,
            FontFile2=pdf.make_stream(data)))
        cid_font = pdf.make_indirect(Dictionary(
            Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + metrics["name"].replace(" ", "")),
            CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"),
                                     Supplement=0),
            FontDescriptor=descriptor, DW=metrics["width"], CIDToGIDMap=Name.Identity))
        font = pdf.make_indirect(Dictionary(
            Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + metrics["name"].replace(" ", "")),
            Encoding=Name("/Identity-H"), DescendantFonts=Array([cid_font])))
    else:
        def encode(line: str) -> bytes:
            raw = line.encode("cp1252", "replace")
            return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

        font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Courier,
                                            Encoding=Name.WinAnsiEncoding))
    for page_lines in pages:
        ops = [f"BT /F1 {_FONT_SIZE:g} Tf {_LEADING:g} TL {_MARGIN:g} {_PAGE[1] - _MARGIN - _FONT_SIZE:g} Td".encode()]
        for line in page_lines:
            if line:
                ops.append(encode(line) + b" Tj")
            ops.append(b"T*")
        ops.append(b"ET")
        page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, _PAGE[0], _PAGE[1]]),
                          Resources=Dictionary(Font=Dictionary(F1=font)),
                          Contents=pdf.make_stream(b"\n".join(ops)))
        pdf.pages.append(pikepdf.Page(page))
    if mono:
        font.ToUnicode = pdf.make_stream(_to_unicode(used or {mono[1].get(32, 0): " "}))
    if title:
        pdf.docinfo["/Title"] = title
    pdf.save(path)
    return len(pages)


# ----------------------------------------------------------------------------- archiving


def _archive_rendered(original: Path, sha: str, media_type: str, extension: str, rendered: Path, ctx: Context,
                      *, source: str, part: str, message_id: str, hint: str | None,
                      warnings: list[str]):
    """Archive *rendered* (a PDF made from the original) with *original* kept as the document's original."""
    from .pipeline import archive_document  # the pipeline's own last step: PDF/A, verified store, index

    settings = ctx.settings
    with tempfile.TemporaryDirectory(dir=ctx.work_dir()) as tmp:
        container = sources.inspect(
            rendered, sources.PDF, max_megapixels=settings.imaging.max_image_megapixels,
            default_dpi=settings.ocr.default_dpi, max_dpi=settings.imaging.max_archive_dpi,
            min_text_chars=settings.ocr.min_text_chars_per_page, work_dir=Path(tmp))
        processed = ctx.run_pages(container)
        doc = Document(source=source, original_path=original, sha256=sha, media_type=media_type,
                       extension=extension, pages=[r.page for r in processed], part=part, message_id=message_id,
                       hint_case_number=hint, warnings=list(container.warnings) + list(warnings))
        classify_document(doc, ctx)
        encoded = {r.page.number: r.encoded for r in processed}
        return archive_document(doc, encoded, [], ctx, Path(tmp))


def _ingest_derived(path: Path, name: str, media_type: str, extension: str, make_pdf, ctx: Context, *,
                    source: str, message_id: str, hint: str | None, warnings: list[str] | None = None):
    """An attachment the pipeline cannot read itself (text, Office): render it, keep it as the original."""
    from .pipeline import duplicate_result, reject_file

    started = time.monotonic()
    sha = sha256_file(path)
    try:
        with ctx.claim(sha):
            existing = ctx.catalog.find_by_original(sha)
            if existing:
                return [duplicate_result(existing, source=source, sha=sha, part="attachment",
                                         message_id=message_id, started=started)]
            with tempfile.TemporaryDirectory(dir=ctx.work_dir()) as tmp:
                rendered = Path(tmp) / "rendered.pdf"
                notes = list(warnings or []) + (make_pdf(path, rendered) or [])
                result = _archive_rendered(path, sha, media_type, extension, rendered, ctx, source=source,
                                           part="attachment", message_id=message_id, hint=hint, warnings=notes)
    except Rejected as rejection:
        return [reject_file(path, rejection, ctx, source=source, sha=sha, part="attachment",
                            message_id=message_id, display_name=name, started=started)]
    except StoreError:
        raise  # the whole mail is retried later
    except Exception as exc:  # a bug or an odd file: refuse this attachment visibly, go on with the mail
        log.exception("attachment %s failed", source)
        return [reject_file(path, Rejected("processing_error", f"{type(exc).__name__}: {exc}"[:160]), ctx,
                            source=source, sha=sha, part="attachment", message_id=message_id,
                            display_name=name, started=started)]
    result.seconds = round(time.monotonic() - started, 3)
    return [result]


def _render_text_attachment(is_html: bool):
    def make(path: Path, target: Path) -> list[str]:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
        text = html_to_text(text) if is_html else text.replace("\r\n", "\n")
        lines = wrap_lines(text)
        pages = render_text_pdf(lines, target, max_pages=TEXT_ATTACHMENT_MAX_PAGES)
        if len(lines) > pages * _ROWS:
            return [f"text attachment rendered to its first {pages} pages ({len(lines) - pages * _ROWS} more "
                    f"lines are in the original)"]
        return []
    return make


def office_converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert_office(path: Path, target: Path) -> list[str]:
    binary = office_converter()
    if binary is None:
        raise Rejected("office_document", "LibreOffice not installed")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        try:
            run = subprocess.run(
                [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", tmp, str(path)],
                capture_output=True, timeout=OFFICE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise Rejected("office_document", f"LibreOffice did not finish within {OFFICE_TIMEOUT} s") from None
        produced = Path(tmp) / (path.stem + ".pdf")
        if run.returncode != 0 or not produced.exists():
            detail = (run.stderr or run.stdout).decode("utf-8", "replace").strip().splitlines()
            raise Rejected("office_document", "LibreOffice could not convert it"
                           + (f": {detail[-1][:120]}" if detail else ""))
        shutil.move(str(produced), target)
    return ["converted from an Office document with LibreOffice"]


def _is_office(name: str, ctype: str, data: bytes) -> bool:
    ext = Path(name).suffix.lower()
    if ext in _OFFICE_EXTENSIONS or ctype in _OFFICE_TYPES or ctype.startswith(_OFFICE_TYPE_PREFIXES):
        return True
    return data[:5] == b"{\\rtf"


def find_case_number(text: str, settings) -> str | None:
    from ..classifiers.case_numbers import CaseNumberPattern, find_case_numbers

    style = settings.classification.case_number
    pattern = CaseNumberPattern(prefixes=style.prefixes, year_digits=style.year_digits,
                                serial_digits=style.serial_digits)
    hits = find_case_numbers(text, pattern)
    exact = [h for h in hits if not h.repaired]
    chosen = (exact or hits)
    return chosen[0].canonical if chosen else None


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def _header_block(msg: EmailMessage) -> list[str]:
    lines = []
    for label, name in (("Von", "From"), ("An", "To"), ("Cc", "Cc"), ("Datum", "Date"), ("Betreff", "Subject"),
                        ("Message-ID", "Message-ID")):
        value = header(msg, name)
        if value or name in ("From", "Subject", "Date"):
            lines.append(f"{label + ':':<12}{value}")
    return lines


@dataclass
class _MailJob:
    ctx: Context
    tmp: Path
    source: str
    message_id: str
    hint: str | None
    results: list = field(default_factory=list)
    listing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    used_names: set[str] = field(default_factory=set)
    counter: int = 0


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    stem, suffix = Path(name).stem, Path(name).suffix
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    used.add(candidate.lower())
    return candidate


def _process_message(job: _MailJob, msg: EmailMessage, prefix: str, depth: int) -> None:
    """Attachments of *msg* (recursively into nested messages) through the pipeline; its text into job.body."""
    from .pipeline import ingest_file

    ctx, settings = job.ctx, job.ctx.settings
    parts = walk_mail(msg)
    job.warnings.extend(parts.skipped)
    if depth:
        job.body.extend(["", "", "=" * min(_COLUMNS, 60), f"Angehängte Nachricht: {prefix.rstrip('/')}", ""])
        job.body.extend(wrap_lines("\n".join(_header_block(msg)), indent=12))
        job.body.append("-" * min(_COLUMNS, 60))
    job.body.extend(["", "\n\n".join(parts.texts)] if parts.texts else ["", "(kein Text)"])
    for attachment in parts.attachments:
        data = attachment.part.get_payload(decode=True) or b""
        ctype = attachment.part.get_content_type()
        name = _unique(attachment.name, job.used_names)
        shown = f"{prefix}{name}"
        source = f"{job.source}#{shown}"
        if attachment.inline and ctype.startswith("image/"):
            tiny = tiny_inline_image(data, settings.mail.min_inline_image_bytes, settings.mail.min_inline_image_pixels)
            if tiny:
                job.warnings.append(f"inline image {shown} skipped ({tiny[0]}x{tiny[1]} px, {len(data)} bytes: "
                                    f"logo or signature; kept in the original mail)")
                job.listing.append(f"{shown} ({ctype}, {_size(len(data))}, übersprungen: kleines Bild)")
                continue
        job.listing.append(f"{shown} ({ctype}, {_size(len(data))})")
        job.counter += 1
        folder = job.tmp / f"{job.counter:04d}"
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        # A mail forwarded as a file: open it like message/rfc822.
        if depth < _MAX_NESTING and (ctype == "message/rfc822" or Path(name).suffix.lower() == ".eml"
                                     or _sniff(path) == sources.EML):
            try:
                nested = parse_mail(data)
            except Rejected:
                nested = None
            if nested is not None:
                _process_message(job, nested, f"{shown}/", depth + 1)
                continue
        common = dict(source=source, message_id=job.message_id, hint=job.hint)
        if _is_office(name, ctype, data) and _sniff(path) != sources.PDF:
            job.results += _ingest_derived(path, name, ctype, Path(name).suffix.lstrip(".").lower() or "bin",
                                           _convert_office, ctx, **common)
        elif ctype in _TEXT_ATTACHMENT_TYPES and _sniff(path) is None:
            ext = {"text/html": "html", "text/csv": "csv", "text/markdown": "md"}.get(ctype, "txt")
            job.results += _ingest_derived(path, name, ctype, ext, _render_text_attachment(ctype == "text/html"),
                                           ctx, **common)
        else:
            job.results += ingest_file(path, ctx, source=source, part="attachment", message_id=job.message_id,
                                       hint_case_number=job.hint, display_name=name)
    for name, nested in parts.nested:
        if depth >= _MAX_NESTING:
            job.warnings.append(f"message {prefix}{name} nested too deep; kept in the original mail")
            continue
        name = _unique(name, job.used_names)
        job.listing.append(f"{prefix}{name} (message/rfc822)")
        _process_message(job, nested, f"{prefix}{name}/", depth + 1)


def _sniff(path: Path) -> str | None:
    try:
        return sources.sniff(path)[0]
    except Rejected:
        return None


def ingest_mail(path: Path, ctx: Context, *, source: str, sha256: str):
    """Archive a mail: every attachment, then the body (original = the mail file). Caller holds the claim."""
    started = time.monotonic()
    msg = parse_mail(path.read_bytes())
    message_id = mail_message_id(msg, sha256)
    subject = header(msg, "Subject")
    with tempfile.TemporaryDirectory(dir=ctx.work_dir()) as tmp:
        job = _MailJob(ctx, Path(tmp), source, message_id, None)
        first_text = "\n".join(walk_mail(msg).texts)
        job.hint = find_case_number(subject, ctx.settings) or find_case_number(first_text, ctx.settings)
        _process_message(job, msg, "", 0)
        failed = [r for r in job.results if r.status == "failed"]
        if failed:
            # An attachment could not be stored: archiving the body now would mark the mail done.
            raise StoreError(f"attachment {failed[0].source} not stored: {failed[0].error}")
        if not job.hint:  # a case number only a nested message names still helps the body
            job.hint = find_case_number("\n".join(job.body), ctx.settings)
        lines = _header_block(msg)
        if job.listing:
            lines.append(f"{'Anhänge:':<12}{job.listing[0]}")
            lines.extend(" " * 12 + item for item in job.listing[1:])
        text_lines = wrap_lines("\n".join(lines), indent=12) + ["-" * _COLUMNS] + wrap_lines("\n".join(job.body))
        rendered = Path(tmp) / "body.pdf"
        render_text_pdf(text_lines, rendered, title=subject)
        body = _archive_rendered(path, sha256, sources.EML, "eml", rendered, ctx, source=f"{source}#body",
                                 part="body", message_id=message_id, hint=job.hint, warnings=job.warnings)
    body.seconds = round(time.monotonic() - started, 3)
    return [body] + job.results


def ingest_mail_file(path: Path, ctx: Context, *, source: str | None = None, display_name: str | None = None):
    """`ingest_file` for a file known to be a mail (IMAP, *.eml in the inbox): no sniffing."""
    from .pipeline import ingest_file

    return ingest_file(path, ctx, source=source, display_name=display_name, part="body", media_type=sources.EML)

