"""External anchors of the access log: the chain's head (entry number + hash), signed with an HMAC
key that only the anchoring job holds, written as a file outside the database.

The hash chain alone shows any change made *inside* the chain; whoever can rewrite the database can
rewrite the tail and re-hash it consistently. An anchor fixes the head at a moment: afterwards the
anchored entry must still be there with the same hash, so rewriting or cutting off anything up to it
is found by `dms audit verify`. Without the key no valid anchor can be forged; the folder
(`access.anchor_dir`) belongs on another machine or a write-once share, so that deleting anchors
needs a second system.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

KEY_VARIABLE = "DMS_AUDIT_ANCHOR_KEY"
_NAME = "anchor-{seq:012d}.json"


class AnchorError(Exception):
    """An anchor cannot be written (no key, broken chain, folder not writable); one sentence."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    entry_hash: str
    entry_at: str          # the anchored entry's own time (retention may prune it later)
    anchored_at: str
    path: Path | None = None

    def payload(self) -> bytes:
        return json.dumps([self.seq, self.entry_hash, self.entry_at, self.anchored_at],
                          separators=(",", ":")).encode()

    def to_json(self) -> dict:
        return {"seq": self.seq, "entry_hash": self.entry_hash, "entry_at": self.entry_at,
                "anchored_at": self.anchored_at, "path": str(self.path) if self.path else None}


def key_from_env() -> bytes | None:
    value = os.environ.get(KEY_VARIABLE, "")
    return value.encode() if value else None


def _mac(key: bytes, anchor: Anchor) -> str:
    return hmac.new(key, anchor.payload(), hashlib.sha256).hexdigest()


def anchor_folder(settings) -> Path:
    return Path(settings.access.anchor_dir) if settings.access.anchor_dir else Path(settings.home) / "audit-anchors"


def write_anchor(folder: Path, key: bytes, seq: int, entry_hash: str, entry_at: datetime) -> Anchor:
    """Sign the head (*seq*, *entry_hash*) and write it to *folder* (never overwriting a file)."""
    anchor = Anchor(seq, entry_hash, _iso(entry_at), datetime.now(timezone.utc).isoformat(timespec="seconds"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _NAME.format(seq=seq)
    data = json.dumps({**anchor.to_json(), "path": None, "mac": _mac(key, anchor)}, indent=1).encode() + b"\n"
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        existing = read_anchor(path, key)
        if isinstance(existing, Anchor) and existing.entry_hash == entry_hash:
            return existing                    # the head was anchored already: nothing new happened
        raise AnchorError(f"{path} exists with another hash for entry {seq}: check the log with `dms audit verify`")
    try:
        os.write(handle, data)
        os.fsync(handle)
    finally:
        os.close(handle)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return Anchor(anchor.seq, anchor.entry_hash, anchor.entry_at, anchor.anchored_at, path)


def read_anchor(path: Path, key: bytes) -> Anchor | str:
    """The anchor in *path*, or why it cannot be trusted."""
    try:
        data = json.loads(path.read_text())
        anchor = Anchor(int(data["seq"]), str(data["entry_hash"]), str(data["entry_at"]), str(data["anchored_at"]),
                        path)
        mac = str(data["mac"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"anchor {path.name} cannot be read (damaged)"
    if not hmac.compare_digest(mac, _mac(key, anchor)):
        return f"anchor {path.name} is not signed with the anchor key (forged or damaged)"
    return anchor


def check(folder: Path, key: bytes | None, stored_hashes, first_seq: int | None, last_seq: int | None,
          retention_days: int) -> tuple[int, list[str]]:
    """(anchors checked, problems): every anchored entry must still be in the log with its anchored
    hash, unless retention has pruned it (only entries older than the retention period).
    *stored_hashes*(seqs) gives the log's hash of each entry still present."""
    paths = sorted(folder.glob("anchor-*.json")) if folder.is_dir() else []
    if not paths:
        return 0, []
    if key is None:
        return 0, [f"{len(paths)} anchors in {folder} cannot be checked: {KEY_VARIABLE} is not set"]
    anchors, problems = [], []
    for path in paths:
        found = read_anchor(path, key)
        (anchors if isinstance(found, Anchor) else problems).append(found)
    present = stored_hashes([a.seq for a in anchors])
    cutoff = datetime.now(timezone.utc) - timedelta(days=retention_days)
    for anchor in anchors:
        stored = present.get(anchor.seq)
        if stored is not None:
            if stored != anchor.entry_hash:
                problems.append(f"entry {anchor.seq} differs from its anchor of {anchor.anchored_at}: "
                                "the log was rewritten after it was anchored")
        elif last_seq is None or anchor.seq > last_seq:
            problems.append(f"the log ends at entry {last_seq or 0}, before entry {anchor.seq} anchored on "
                            f"{anchor.anchored_at}: entries were removed")
        elif datetime.fromisoformat(anchor.entry_at) >= cutoff or first_seq is None or anchor.seq >= first_seq:
            problems.append(f"entry {anchor.seq}, anchored on {anchor.anchored_at}, is missing although "
                            "retention keeps it: entries were removed")
    return len(anchors), problems


def _iso(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()
