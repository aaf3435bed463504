"""The query classes of bench_search.py, drawn from what the measured index holds.

Words, phrases, prefixes and compound parts are the generator's office vocabulary (on many pages
of any index it builds). Case numbers, surnames, case filters, allowed lists and teams are read
from random documents of the index itself, not from the case list the build used: an index made
by copying (replicate_index.py) has cases, numbers in its text and surnames of its own, and a
query for something the index does not hold finds nothing in no time, which says nothing.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from sqlalchemy import bindparam, text

from dms_ingest.index.catalog import Catalog
from dms_ingest.index.page_text import unpack
from dms_ingest.index.query import SearchQuery

COMMON_WORDS = ["Antrag", "Aufenthaltserlaubnis", "Stadt", "geehrte", "Unterschrift", "Datum", "Bescheid",
                "Ausländerbehörde", "Anschrift", "Straße", "Geburtsdatum", "gemäß", "Staatsangehörigkeit"]
PHRASES = ['"Sehr geehrte Damen und Herren"', '"mit freundlichen Grüßen"', '"Antrag auf"', '"gemäß § 28 VwVfG"',
           '"in der Fassung"', '"Erteilung einer Aufenthaltserlaubnis"', '"Der Vorstand"', '"Ihr Aktenzeichen"']
TWO_WORDS = ["Antrag Unterschrift", "Mietvertrag Wohnung", "Bescheid Gebühr", "Arbeitgeber Lohn", "Geburtsurkunde Standesamt",
             "Krankenversicherung Mitglied", "Ablehnung Widerspruch", "Aufenthaltserlaubnis Verlängerung"]
PREFIXES = ["Aufenth*", "Verläng*", "Niederl*", "Staatsang*", "Geburt*", "Bescheinig*", "Miet*", "Krankenv*", "Arbeitsv*"]
COMPOUND_PARTS = ["erlaubnis", "vertrag", "versicherung", "bescheinigung", "urkunde", "nachweis", "zertifikat",
                  "behörde", "angehörigkeit", "unterhalt"]
CLASSES = ("common word", "rare word", "case number", "phrase", "two words", "prefix", "compound part",
           "with case filter", "200 allowed cases", "a team's scope")
# A case number as written in a page; a copy made by replicate_index.py may carry "/r" after it.
WRITTEN_CASE_NUMBER = re.compile(r"ABH-\d{4}-\d{5}(?:/\d+)?")


@dataclass(frozen=True)
class Sample:
    """One document of the index, as much of it as the queries of the classes need."""

    case_number: str               # its case (documents.case_number): the case filter
    team: str                      # its case's team: a team's scope
    written_number: str            # a case number written in its text: the "case number" class
    surname: str                   # the surname of that case, as written in its text: the "rare word" class
    common_words: tuple[str, ...]  # the COMMON_WORDS its text holds: the word searched within its case


def _holds(page_text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", page_text, re.IGNORECASE) is not None


def _sample(conn, document_id: str, case_number: str) -> Sample | None:
    """The document as a Sample, or None if its text names no case of the index by number and surname."""
    page_text = "\n".join(unpack(value) for value in conn.execute(          # stored compressed
        text("SELECT text FROM pages WHERE document_id = :d ORDER BY number"), {"d": document_id}).scalars())
    written = WRITTEN_CASE_NUMBER.findall(page_text)
    lookup = text("SELECT case_number, surname, team FROM cases WHERE case_number IN :n").bindparams(
        bindparam("n", expanding=True))
    rows = {row.case_number: row for row in conn.execute(lookup, {"n": sorted({case_number, *written})})}
    own = rows.get(case_number)
    for number in written:
        row = rows.get(number)
        if own is not None and own.team and row is not None and row.surname and _holds(page_text, row.surname):
            return Sample(case_number, own.team, number, row.surname,
                          tuple(w for w in COMMON_WORDS if _holds(page_text, w)))
    return None


def draw_samples(catalog: Catalog, rng: random.Random, count: int) -> tuple[list[Sample], list[str]]:
    """count random documents of the index that name their case (by number and surname) in their
    text, and every case number that has documents (for allowed lists)."""
    with catalog.engine.connect() as conn:
        documents = conn.execute(text("SELECT id, case_number FROM documents WHERE case_number IS NOT NULL "
                                      "AND case_number <> '' ORDER BY id")).all()
        samples: list[Sample] = []
        for index in rng.sample(range(len(documents)), len(documents)):
            if len(samples) == count:
                break
            sample = _sample(conn, *documents[index])
            if sample is not None:
                samples.append(sample)
    if len(samples) < count:
        raise SystemExit(f"only {len(samples)} documents of the index name their case in their text "
                         f"({count} wanted): the case-number and rare-word classes cannot be drawn")
    return samples, sorted({case_number for _, case_number in documents})


def query_classes(catalog: Catalog, rng: random.Random, count: int) -> dict[str, list[SearchQuery]]:
    """--queries queries per class (CLASSES), the same ones for the same index and seed."""
    samples, cases = draw_samples(catalog, rng, count)

    def pick(items: list[str]) -> list[str]:
        return [items[i % len(items)] for i in range(count)]

    def held_word(i: int, sample: Sample) -> str:
        """A common word on the sample's pages: searched within its case, it finds at least that document."""
        words = sample.common_words or tuple(COMMON_WORDS)
        return words[i % len(words)]

    classes = {
        "common word": [SearchQuery(w) for w in pick(COMMON_WORDS)],
        "rare word": [SearchQuery(s.surname) for s in samples],
        "case number": [SearchQuery(s.written_number) for s in samples],
        "phrase": [SearchQuery(p) for p in pick(PHRASES)],
        "two words": [SearchQuery(w) for w in pick(TWO_WORDS)],
        "prefix": [SearchQuery(p) for p in pick(PREFIXES)],
        "compound part": [SearchQuery(p) for p in pick(COMPOUND_PARTS)],
        "with case filter": [SearchQuery(held_word(i, s), case_numbers=(s.case_number,)) for i, s in enumerate(samples)],
        "200 allowed cases": [SearchQuery(w, allowed_cases=frozenset(rng.sample(cases, min(200, len(cases)))),
                                          include_unassigned=False) for w in pick(COMMON_WORDS)],
        # A caseworker's scope as the service layer sends it: the team's token and a few cases of
        # other teams (a substitution's exceptions), never the team's hundreds of cases one by one.
        "a team's scope": [SearchQuery(w, allowed_teams=frozenset({s.team}),
                                       allowed_cases=frozenset(rng.sample(cases, min(3, len(cases)))),
                                       include_unassigned=False) for w, s in zip(pick(COMMON_WORDS), samples)],
    }
    assert tuple(classes) == CLASSES
    return classes
