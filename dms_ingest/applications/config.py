"""Application types and their requirements, as configured in config.yaml (section `applications`).

A requirement is a document type with a count and conditions on the document's fields. The models
are strict: an unknown key, condition, document type or field stops start-up with a clear message.
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ValidFor(_Strict):
    """The document is valid at least *months* more (a passport for the permit's period)."""

    check: Literal["valid_for"]
    field: str = "expiry_date"
    months: int = Field(6, ge=0, le=120)


class ValidToday(_Strict):
    """Valid today: *from_field* is not in the future and *to_field* not in the past ('open' = no end)."""

    check: Literal["valid_today"]
    from_field: str = "valid_from"
    to_field: str = "valid_to"


class NotOlderThan(_Strict):
    """Issued at most *months* ago (a registration certificate not older than 3 months)."""

    check: Literal["not_older_than"]
    field: str = "issue_date"
    months: int = Field(3, ge=1, le=120)


class MinLevel(_Strict):
    """A language certificate at least at this CEFR level."""

    check: Literal["min_level"]
    field: str = "level"
    level: Literal["A1", "A2", "B1", "B2", "C1", "C2"]


class MinAmount(_Strict):
    """An amount field at least this high (gross salary of a Blue Card contract)."""

    check: Literal["min_amount"]
    field: str
    amount: Decimal = Field(ge=0)


class RecentMonths(_Strict):
    """Documents for each of the last *months* months (payslips). The month just begun may still lack
    its payslip, so the run of months may end with the previous month or, *grace_months* earlier."""

    check: Literal["recent_months"]
    field: str = "period"
    months: int = Field(3, ge=1, le=24)
    grace_months: int = Field(1, ge=0, le=3)


Condition = Annotated[Union[ValidFor, ValidToday, NotOlderThan, MinLevel, MinAmount, RecentMonths],
                      Field(discriminator="check")]


class Requirement(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str                                # German, as the applicant reads it in a letter
    doc_type: str
    count: int = Field(1, ge=1, le=24)
    conditions: list[Condition] = []
    # Only documents of the applicant count (a spouse's passport is not the applicant's passport).
    applicant_only: bool = True
    # Documents of the sponsor (Referenzperson) recorded in the registry count too (family
    # reunification: the sponsor's payslips and tenancy); they may then also be filed into the
    # applicant's case when they arrive with its case number (README "Is the file complete?").
    from_sponsor: bool = False

    @model_validator(mode="after")
    def _months_match_count(self) -> "Requirement":
        for condition in self.conditions:
            if isinstance(condition, RecentMonths) and condition.months != self.count:
                raise ValueError(f"requirement {self.key}: recent_months.months ({condition.months}) must equal "
                                 f"count ({self.count})")
        return self

    def fields_used(self) -> set[str]:
        out = set()
        for c in self.conditions:
            out |= {c.from_field, c.to_field} if isinstance(c, ValidToday) else {c.field}
        return out


class ApplicationType(_Strict):
    title: str                                # e.g. "Verlängerung der Aufenthaltserlaubnis"
    legal_basis: str = ""                     # e.g. "§ 8 AufenthG"
    form_purposes: list[str] = []             # wording of this purpose on application forms
    requirements: list[Requirement] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> "ApplicationType":
        keys = [r.key for r in self.requirements]
        if len(keys) != len(set(keys)):
            raise ValueError(f"requirement keys must be unique: {', '.join(sorted(keys))}")
        return self


LETTER_PLACEHOLDERS = {"case_number", "name", "salutation", "application", "legal_basis", "items", "date",
                       "deadline", "office"}


class LetterConfig(_Strict):
    """The letter asking for what is missing (Nachforderung): plain text with {placeholders}."""

    office: str = "Ausländerbehörde"
    office_address: list[str] = []
    sender_line: str = ""                     # small line above the address window
    subject: str = "Ihr Antrag auf {application} – fehlende Unterlagen"
    body: str = ("{salutation}\n\nfür die Bearbeitung Ihres Antrags auf {application} ({legal_basis}) fehlen noch "
                 "folgende Unterlagen:\n\n{items}\n\nBitte reichen Sie diese bis zum {deadline} ein und geben Sie "
                 "dabei das Aktenzeichen {case_number} an.\n\nMit freundlichen Grüßen\nIm Auftrag\n{office}")
    deadline_days: int = Field(14, ge=1, le=180)
    doc_type: str = "sonstiges"               # the type the filed letter gets in the case

    @field_validator("subject", "body")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"template is not valid: {exc}") from None
        unknown = sorted(n for n in names if n not in LETTER_PLACEHOLDERS)
        if unknown:
            raise ValueError(f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}; "
                             f"allowed: {', '.join(sorted(LETTER_PLACEHOLDERS))}")
        return value


class ApplicationsConfig(_Strict):
    min_field_confidence: float = Field(0.7, ge=0, le=1)   # below it a field is "unread"
    name_match_threshold: float = Field(85, ge=50, le=100)  # applicant's name in a document (0-100)
    types: dict[str, ApplicationType] = {}
    letter: LetterConfig = LetterConfig()

    def check_against(self, doc_types: list[str]) -> None:
        """Requirements may name only document types of the taxonomy and fields their extractor yields."""
        from ..fields import KNOWN_FIELDS

        if self.letter.doc_type not in doc_types:
            raise ValueError(f"applications.letter.doc_type: {self.letter.doc_type!r} is not in "
                             f"classification.doc_types")
        for key, app in self.types.items():
            for req in app.requirements:
                where = f"applications.types.{key}.requirements.{req.key}"
                if req.doc_type not in doc_types:
                    raise ValueError(f"{where}: document type {req.doc_type!r} is not in classification.doc_types")
                known = KNOWN_FIELDS.get(req.doc_type, set())
                unknown = sorted(req.fields_used() - known)
                if unknown:
                    raise ValueError(f"{where}: field(s) {', '.join(unknown)} are not read from {req.doc_type!r} "
                                     f"documents (known: {', '.join(sorted(known)) or 'none'})")
