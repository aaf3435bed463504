"""`dms watch` and `dms mail fetch`: the mailroom inbox and digital mail."""

from __future__ import annotations
