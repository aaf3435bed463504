"""CSV and PDF exports of tables (the access log, the Art. 15 report) for the data-protection officer.

CSV is written for German spreadsheets (semicolons, UTF-8 with BOM), and cells that a spreadsheet
would run as a formula (=, +, -, @ at the start) are defused with a leading apostrophe. The PDF is
a plain table in DejaVu Sans (Debian's fonts-dejavu-core), so every name prints as written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(columns: Sequence[tuple[str, str]], rows: Sequence[dict]) -> bytes:
    """*columns*: (key, heading) pairs; *rows*: dicts. Returns UTF-8 (with BOM) CSV bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading for _, heading in columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _font_path(name: str) -> Path:
    for folder in _FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            return path
    raise RuntimeError(f"font {name} not found: install fonts-dejavu-core")


def to_pdf(title: str, lines: Sequence[str], columns: Sequence[tuple[str, str, float]], rows: Sequence[dict]) -> bytes:
    """A landscape A4 PDF: a title, a few lines of context, then the table.
    *columns*: (key, heading, width in mm)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("dms-ingest")
    pdf.add_font("DejaVu", "", str(_font_path("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(_font_path("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in lines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(col_widths=[width for _, _, width in columns], text_align="LEFT", line_height=4.5,
                   first_row_as_headings=True, repeat_headings=1) as table:
        table.row([heading for _, heading, _ in columns])
        for row in rows:
            table.row(["" if row.get(key) is None else str(row.get(key)) for key, _, _ in columns])
    return bytes(pdf.output())
