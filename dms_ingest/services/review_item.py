"""One review item as a clerk decides it: the reasons, what was read, the candidate cases side by side.

The evidence is read again from the stored text with the same readers the matcher uses (case
numbers, labelled birth dates, names), and each candidate is checked against it, so the clerk sees
which name, which birthday and which number speak for or against each case.
"""

from __future__ import annotations

import re

from ..access import policy
from ..classifiers import find_case_numbers
from ..classifiers.persons import find_birth_dates, find_name_candidates, loose_name, word_similarity
from ..index.models import CaseRow
from .actor import Actor
from .documents import document
from .reasons_view import ReasonsView
from .runtime import Runtime, operation

_NAME_MATCH = 88.0      # word similarity (0-100) from which a name counts as read


def review_item(actor: Actor, runtime: Runtime, doc_id: str) -> dict:
    """The item with its reasons, page text, the values read and each candidate with its evidence."""
    with operation(runtime, actor, "review_show", doc_id):
        catalog = runtime.catalog
        doc = document(runtime, doc_id)
        policy.require(actor, "review_assign", document=doc, catalog=catalog)
        text = "\n\f".join(p.text for p in catalog.pages(doc_id))
        numbers = sorted({h.canonical for h in find_case_numbers(text, runtime.settings.classification.case_number)})
        births = sorted({h.date for h in find_birth_dates(text)})
        names = list(dict.fromkeys(c.full for c in find_name_candidates(text)))
        # Candidate cases the clerk may not see are counted, never shown (not even their evidence).
        seen = ReasonsView(actor, runtime).of_document(doc)
        wanted = list(dict.fromkeys(seen["candidates"] + ([doc.case_number] if doc.case_number else [])))
        cases = {c.case_number: c for c in (catalog.case(n) for n in wanted) if c is not None}
        read_values = []
        if numbers:
            read_values.append(("Gelesene Aktenzeichen", ", ".join(numbers)))
        if births:
            read_values.append(("Gelesene Geburtsdaten", ", ".join(d.strftime("%d.%m.%Y") for d in births)))
        if names:
            read_values.append(("Gelesene Namen", ", ".join(names[:6])))
        return {"id": doc.id, "received": doc.created_at, "source": doc.source, "pages": doc.pages,
                "reasons": seen["reasons"], "candidates_hidden": seen["candidates_hidden"], "doc_type": doc.doc_type,
                "doc_type_confidence": doc.doc_type_confidence, "case_number": doc.case_number,
                "text": text.replace("\f", ""), "read_values": read_values,
                "candidates": [_candidate(cases[n], text, numbers, births) for n in wanted if n in cases],
                # a team lead may hand an item of the team's case back to the mailroom to forward
                "may_give_back": bool(doc.case_number and doc.review) and policy.allowed(actor, "review_return", document=doc,
                                                                          catalog=catalog)}


def _name_evidence(label: str, part: str, words: dict[str, str]) -> dict:
    """Read as written (or with OCR look-alikes only: rn/m, l/I), only similar, or not at all.
    Similar is not found: Farida's case must not claim her name for a page that says Farid."""
    token = loose_name(part).replace(" ", "")
    scored = [(word_similarity(token, folded), written) for folded, written in words.items()]
    best, written = max(scored, default=(0.0, ""))
    if best == 100.0:
        return {"found": True, "text": f"{label} „{part}“ steht im Dokument"}
    if best >= _NAME_MATCH:
        return {"found": False, "near": True, "text": f"{label} „{part}“ nur ähnlich gelesen: „{written}“"}
    return {"found": False, "text": f"{label} „{part}“ nicht gefunden"}


def _candidate(case: CaseRow, text: str, numbers: list[str], births: list) -> dict:
    # folded word -> as the page wrote it; split as loose_name splits (O'Brien one word, Müller-Lüdenscheidt two)
    words: dict[str, str] = {}
    for written in re.findall(r"\w[\w'’]*", text):
        folded = loose_name(written).replace(" ", "")
        if len(folded) > 1:
            words.setdefault(folded, written)
    evidence = []
    for label, name in (("Nachname", case.surname), ("Vorname", case.given_names)):
        for part in [p for p in (name or "").split() if len(loose_name(p)) > 1][:3]:
            evidence.append(_name_evidence(label, part, words))
    if case.date_of_birth:
        stated = case.date_of_birth.strftime("%d.%m.%Y")
        if case.date_of_birth in births:
            evidence.append({"found": True, "text": f"Geburtsdatum {stated} steht im Dokument"})
        else:
            other = ", ".join(d.strftime("%d.%m.%Y") for d in births)
            evidence.append({"found": False, "text": f"Geburtsdatum {stated} nicht gefunden"
                                                     + (f" (gelesen: {other})" if other else "")})
    evidence.append({"found": case.case_number in numbers,
                     "text": f"Aktenzeichen {case.case_number} "
                             + ("steht im Dokument" if case.case_number in numbers else "nicht im Dokument")})
    return {"case_number": case.case_number, "name": f"{case.surname}, {case.given_names}".strip(", "),
            "date_of_birth": case.date_of_birth.isoformat() if case.date_of_birth else None,
            "nationality": case.nationality, "team": case.team, "evidence": evidence}
