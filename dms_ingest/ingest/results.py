"""What became of an input: one result per produced document, and the outcome for the runner.

`Status` is the result of one document (the `status` field of `dms ingest --json`). `Outcome`
is what a runner does with the input as a whole, decided in one place (`outcome_of`); the
watcher and the IMAP fetcher each name it in their own public words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Status(str, Enum):
    ARCHIVED = "archived"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"      # refused; the original is in quarantine with its reason
    FAILED = "failed"          # the object store is unreachable: nothing lost, retry later
    SKIPPED = "skipped"        # not taken at all (a link out of the folder, a hidden file)

    def __str__(self) -> str:
        return self.value


@dataclass
class IngestResult:
    """One line of `dms ingest --json`: the field names are a public contract."""

    source: str
    status: Status
    id: str | None = None
    sha256: str | None = None
    pages: int = 0
    doc_type: str | None = None
    case_number: str | None = None
    review: bool = False
    error: str | None = None
    seconds: float = 0.0
    reason_code: str | None = None
    duplicate_of: list[str] = field(default_factory=list)
    part: str | None = None
    message_id: str | None = None
    archive_sha256: str | None = None
    blank_pages: int = 0
    sheets: list[int] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quarantined: str | None = None
    cover_case_number: str | None = None   # named by an AZ: cover sheet before the document

    def to_json(self) -> dict:
        data = asdict(self)
        data["status"] = Status(self.status).value
        return data


class Outcome(str, Enum):
    """What a runner does with the input it handed to the pipeline."""

    DONE = "done"            # archived (or archived before): the input may leave the queue
    REFUSED = "refused"      # not archived; the original is kept in quarantine with its reason
    RETRY = "retry"          # the store was unreachable: keep the input, try again later


def outcome_of(results: list[IngestResult], *, original_archived: bool) -> Outcome:
    """The one mapping from results to what the runner does.

    *original_archived*: the catalog holds a document whose original is the input's bytes (for a
    mail: its body was archived, so the mail is done even if an attachment was refused).
    """
    if any(r.status == Status.FAILED for r in results):
        return Outcome.RETRY
    # A refused attachment leaves its mail archived; a refusal of the input itself does not.
    if any(r.status == Status.REJECTED and r.part != "attachment" for r in results):
        return Outcome.REFUSED
    return Outcome.DONE if original_archived else Outcome.REFUSED


class _RunnerWords(str, Enum):
    """A runner's public names for the three outcomes (`done`, refused, `retry`)."""

    @classmethod
    def of(cls, outcome: Outcome):
        return cls(cls._refused_word() if outcome is Outcome.REFUSED else outcome.value)

    @classmethod
    def _refused_word(cls) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.value


class InboxOutcome(_RunnerWords):
    """`inbox_outcome` of `dms watch --json`."""

    DONE = "done"
    QUARANTINED = "quarantined"
    RETRY = "retry"
    SKIPPED = "skipped"      # a link or special file in the inbox: reported once, never taken

    @classmethod
    def _refused_word(cls) -> str:
        return "quarantined"


class ImapOutcome(_RunnerWords):
    """`imap_outcome` of `dms mail fetch --json`."""

    DONE = "done"
    FAILED = "failed"        # refused as a whole: moved to the failed folder, copy in quarantine
    RETRY = "retry"

    @classmethod
    def _refused_word(cls) -> str:
        return "failed"
