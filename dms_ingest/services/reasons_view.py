"""What one reader sees of review reasons, candidate lists and a document's history.

The stored record keeps the matcher's full reasons: every candidate case with its number, the
person's name and birth date ("… passen zu ABH-2020-00005 (Olga Zander, geb. 10.09.1970)").
A reader sees the cases mentioned there that `policy.naming_scope` lets them see; every other case
is replaced by "[Akte außerhalb Ihrer Teams]" (several in a row are counted, never named), and
candidate lists leave them out and count them. The text is redacted where it is shown, not where it
is made: stored reasons stay whole for those allowed to see them (the mailroom, the system), and
records written before this module are covered too.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..access import policy
from ..classifiers import find_case_numbers
from .actor import Actor
from .runtime import Runtime

OUTSIDE = "[Akte außerhalb Ihrer Teams]"
UNREGISTERED = "[Aktenzeichen verborgen]"     # not in the registry (any more): its team is unknown
# Keys of a document's history (audit events: before/after of a change) that hold reasons or candidates.
_REASON_KEYS = frozenset({"review_reasons", "case_evidence"})
_MARK = "\x00{}\x00"
_MARKS = re.compile(r"\x00(\d+)\x00")
# A run of hidden mentions: "X, Y und Z", "X: Name" (number and its person) count as one run.
_RUN = re.compile(r"\x00\d+\x00(?:(?:,? und |[,:;]? )\x00\d+\x00)*")
# What the matcher writes after a case or person: "(Olga Zander, geb. 10.09.1970)", "(Text)", ", geb. 10.09.1970".
_AFTER_MARK = re.compile(r"(\x00\d+\x00)(?: \([^()]*\)|,? geb\. [0-9.?]+)+")


def outside_count(count: int) -> str:
    """The clerk's words for *count* candidate cases one may not see ("" for none)."""
    if not count:
        return ""
    return "1 weitere Akte außerhalb Ihrer Teams" if count == 1 else f"{count} weitere Akten außerhalb Ihrer Teams"


class ReasonsView:
    """One reader's view; asks the registry once per case mentioned (a request's worth)."""

    def __init__(self, actor: Actor, runtime: Runtime):
        self.scope = policy.naming_scope(actor)
        self.catalog = runtime.catalog
        self.pattern = runtime.settings.classification.case_number
        self._rows: dict[str, Any] = {}

    @property
    def sees_every_case(self) -> bool:
        return self.scope.unrestricted

    def _row(self, number: str):
        if number not in self._rows:
            self._rows[number] = self.catalog.case(number)
        return self._rows[number]

    def hides(self, case_number: str | None) -> bool:
        """Whether the reader may not see *case_number* named (an unregistered number: the team
        that may see it is unknown, so only those who see every case)."""
        if not case_number or self.sees_every_case:
            return False
        number = case_number.strip().upper()
        row = self._row(number)
        return not policy.in_scope(self.scope, number, row.team if row is not None else None)

    def candidates(self, candidates: list[str]) -> tuple[list[str], int]:
        """(the candidate cases the reader may see, how many others)."""
        shown = [c for c in candidates if not self.hides(c)]
        return shown, len(candidates) - len(shown)

    def of_document(self, doc) -> dict:
        """A document row's `reasons` and `candidates` as the reader may see them (the JSON fields
        stay; `candidates_hidden` counts the candidates left out)."""
        stored = json.loads(doc.candidates or "[]")
        candidates, hidden = self.candidates(stored)
        return {"reasons": self.reasons(json.loads(doc.review_reasons or "[]"), mentioned=(*stored, doc.case_number)),
                "candidates": candidates, "candidates_hidden": hidden}

    def reasons(self, reasons: list[str], *, mentioned: tuple[str | None, ...] = ()) -> list[str]:
        """*reasons* with every case the reader may not see (and its person) replaced; *mentioned*:
        cases known to be involved beyond those the text names (the candidates, the document's case)."""
        if self.sees_every_case or not reasons:
            return list(reasons)
        hits = {r: find_case_numbers(r, self.pattern) for r in reasons}
        numbers = {n.strip().upper() for n in mentioned if n} | {h.canonical for found in hits.values() for h in found}
        hidden = sorted(n for n in numbers if self.hides(n))
        if not hidden:
            return list(reasons)
        visible_names = {form.casefold() for n in numbers - set(hidden) if (row := self._row(n)) is not None
                         for form in _name_forms(row.given_names, row.surname)}
        people = self._hidden_people(hidden, visible_names)
        index = {number: i for i, number in enumerate(hidden)}
        return [self._redact(r, hits[r], index, people) for r in reasons]

    def _hidden_people(self, hidden: list[str], visible_names: set[str]) -> list[tuple[int, re.Pattern]]:
        """(mark, pattern of a name) for the persons of hidden cases and the sponsors their registry
        rows record by name; a name a visible case's person also bears stays (it names them too)."""
        people = []
        for i, number in enumerate(hidden):
            row = self._row(number)
            if row is None:
                continue
            for given, surname in ((row.given_names, row.surname),
                                   (row.sponsor_given_names or "", row.sponsor_surname or "")):
                forms = [f for f in _name_forms(given, surname) if f.casefold() not in visible_names]
                if forms:
                    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                    people.append((i, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)))
        return people

    def _redact(self, reason: str, hits, index: dict[str, int], people) -> str:
        text = reason
        for hit in sorted(hits, key=lambda h: h.span[0], reverse=True):     # as read, e.g. "ABH 2019 4711"
            if hit.canonical in index:
                text = text[:hit.span[0]] + _MARK.format(index[hit.canonical]) + text[hit.span[1]:]
        for number, i in index.items():                                     # a candidate the text writes plainly
            text = re.sub(rf"(?<![\w-]){re.escape(number)}(?![\w-])", _MARK.format(i), text, flags=re.IGNORECASE)
        for i, pattern in people:
            text = pattern.sub(_MARK.format(i), text)
        text = _AFTER_MARK.sub(r"\1", text)
        registered = {i for number, i in index.items() if self._row(number) is not None}
        return _RUN.sub(lambda run: _placeholder({int(i) for i in _MARKS.findall(run.group())}, registered), text)

    def history_detail(self, value: Any, key: str | None = None) -> Any:
        """An audit event's detail (before/after of a change) as the reader may see it: reasons
        redacted, hidden candidates left out, a hidden case number replaced. JSON text stays JSON text."""
        if self.sees_every_case:
            return value
        if isinstance(value, dict):
            return {k: self.history_detail(v, k) for k, v in value.items()}
        if isinstance(value, list):
            if key == "candidates":
                return self.candidates([str(c) for c in value])[0]
            if key in _REASON_KEYS:
                return self.reasons([str(r) for r in value])
            return [self.history_detail(v, key) for v in value]
        if isinstance(value, str):
            if key in _REASON_KEYS | {"candidates"} and value.startswith("["):
                try:
                    parsed = json.loads(value)
                except ValueError:
                    parsed = None
                if isinstance(parsed, list):
                    return json.dumps(self.history_detail(parsed, key), ensure_ascii=False)
            if key == "case_number" and self.hides(value):
                return OUTSIDE if self._row(value.strip().upper()) is not None else UNREGISTERED
            return self.reasons([value])[0]
        return value


def _name_forms(given: str | None, surname: str | None) -> list[str]:
    """How reasons write a registry person: "Olga Zander" (the matcher), "Zander, Olga" (lists)."""
    given, surname = (given or "").strip(), (surname or "").strip()
    if not surname:
        return []
    if not given:
        return [surname] if len(surname) > 2 else []
    return [f"{given} {surname}", f"{surname}, {given}", f"{surname} {given}"]


def _placeholder(marks: set[int], registered: set[int]) -> str:
    outside, unknown = len(marks & registered), len(marks - registered)
    parts = []
    if outside:
        parts.append(OUTSIDE if outside == 1 else f"[{outside} Akten außerhalb Ihrer Teams]")
    if unknown:
        parts.append(UNREGISTERED if unknown == 1 else f"[{unknown} Aktenzeichen verborgen]")
    return ", ".join(parts)
