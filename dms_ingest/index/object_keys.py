"""A document's object keys are not stored where the row's own fields give them.

The local store names an object by its SHA-256, which the row holds anyway; the S3 store names it
by (document id, role, extension) (storage/keys.py), which the row holds too. A key column then
holds a one-character mark instead of 45-65 characters:

    "="     the key is the object's SHA-256 (original_sha256, archive_sha256, metadata_sha256)
    "@"     the key is the S3 layout's key_for(id, role, ext); for previous_metadata_keys, the
            list of metadata-1 .. metadata-(version-1)
    else    the key itself: a shared original (S3: another document's key), rows written
            before this, or a key no rule gives

A mark is written only where the rule gives back exactly the key (checked at every write), so the
mark says which store's rule, row by row: a database that changed stores reads its older rows
right. Marks never leave the index: `DocumentRow` is given its keys in full when loaded
(`track`) and `stored_keys` is applied to what is written, by the ORM and by `add_document`.
"""

from __future__ import annotations

import json
from typing import Mapping

from sqlalchemy import event
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from ..storage.base import StoreError
from ..storage.keys import key_for

CONTENT, LAYOUT = "=", "@"
# key column -> (its object's SHA-256 column, its S3 role, its extension (a column name or fixed))
_OBJECTS = {"original_key": ("original_sha256", "original", "original_ext"),
            "archive_key": ("archive_sha256", "archive", None),
            "metadata_key": ("metadata_sha256", "metadata", None)}
PREVIOUS = "previous_metadata_keys"
KEY_COLUMNS = (*_OBJECTS, PREVIOUS)
# What the derivations read besides the key columns.
DERIVED_FROM = ("id", "original_ext", "metadata_version", "original_sha256", "archive_sha256", "metadata_sha256")


def _layout(values: Mapping, column: str) -> str | None:
    _, role, ext = _OBJECTS[column]
    if role == "metadata":
        role = f"metadata-{values['metadata_version']}"
    try:
        return key_for(values["id"], role, values[ext] if ext else "")
    except (StoreError, TypeError):
        return None


def _previous_layout(values: Mapping) -> list[str] | None:
    try:
        return [key_for(values["id"], f"metadata-{n}") for n in range(1, int(values["metadata_version"]))]
    except (StoreError, TypeError, ValueError):
        return None


def stored_keys(values: Mapping) -> dict[str, str]:
    """The key columns as stored, for a row given with its keys in full."""
    stored = {}
    for column, (sha_column, _, _) in _OBJECTS.items():
        key = values[column]
        if key in (CONTENT, LAYOUT):
            raise ValueError(f"{column} {key!r} would read back as a derived key")
        if key and key == values[sha_column]:
            key = CONTENT
        elif key and key == _layout(values, column):
            key = LAYOUT
        stored[column] = key
    previous = values[PREVIOUS]
    if previous == LAYOUT:
        raise ValueError(f"{PREVIOUS} {previous!r} would read back as derived keys")
    if previous not in ("", "[]") and previous.count(",") + 2 == values["metadata_version"] \
            and previous == json.dumps(_previous_layout(values)):        # (the count first: a cheap test)
        previous = LAYOUT
    stored[PREVIOUS] = previous
    return stored


def stored_row(doc) -> dict:
    """A DocumentRow's column values as written by a driver insert (add_document, benchmarks)."""
    record = doc.model_dump()
    record.update(stored_keys(record))
    return record


def full_keys(values: Mapping) -> dict[str, str]:
    """The key columns in full, for a row given as stored (only the columns that hold a mark)."""
    full = {}
    for column, (sha_column, _, _) in _OBJECTS.items():
        if values[column] == CONTENT:
            full[column] = values[sha_column]
        elif values[column] == LAYOUT:
            full[column] = _layout(values, column)
    if values[PREVIOUS] == LAYOUT:
        full[PREVIOUS] = json.dumps(_previous_layout(values))
    return full


class _Fields(Mapping):
    """A mapped object's attributes as a mapping (loading any that are not loaded yet)."""

    def __init__(self, target):
        self.target = target

    def __getitem__(self, name):
        return getattr(self.target, name)

    def __iter__(self):
        return iter(KEY_COLUMNS + DERIVED_FROM)

    def __len__(self):
        return len(KEY_COLUMNS + DERIVED_FROM)


def track(model) -> None:
    """Give *model*'s objects their keys in full when loaded, and store them as `stored_keys` says."""

    def expand(target, *_):
        for column, key in full_keys(_Fields(target)).items():
            set_committed_value(target, column, key)

    def compact(_mapper, _connection, target):
        # Always written: the loaded (committed) value is the full key, not the stored mark, and
        # a key left as it was may still need another mark (or none) after a field it is derived from changed.
        for column, key in stored_keys(_Fields(target)).items():
            setattr(target, column, key)
            flag_modified(target, column)

    def restore(_mapper, _connection, target):
        expand(target)

    event.listen(model, "load", expand)
    event.listen(model, "refresh", expand)
    event.listen(model, "before_insert", compact)
    event.listen(model, "before_update", compact)
    event.listen(model, "after_insert", restore)
    event.listen(model, "after_update", restore)
