"""A query word's compounds on PostgreSQL, from the part vocabulary search_parts.

The page vectors hold no compound parts (fulltext.PostgresFullText): "vertrag" finds "Mietvertrag"
because the query asks for vertrag | mietvertrag | ..., the compounds search_parts lists for the
part. A part of a real archive may have hundreds of compounds; GIN reads one posting list per
lexeme asked and a page's vector is tested against each, so a query asks for at most
COMPOUND_EXPANSIONS of them, shared among its words: the shortest (the commonest, as a rule)
first. Compounds beyond that are not found by the part (they are by their own word or a prefix).
"""

from __future__ import annotations

import weakref

from sqlalchemy.engine import Connection

from .query import AnyOf, ParsedQuery, Word
from .rows import fetch_rows

COMPOUND_EXPANSIONS = 200

Compounds = dict[Word, tuple[str, ...]]


def _asked(query: ParsedQuery) -> list[Word]:
    """The query's words that also find compounds (required and excluded): neither fuzzy nor quoted."""
    words = [item for term in query.required + query.excluded
             for item in (term.items if isinstance(term, AnyOf) else (term,)) if isinstance(item, Word)]
    # Parts have at least 4 letters (analysis.compound_parts); a prefix of 3 may begin one.
    return list(dict.fromkeys(w for w in words if w.compound and not w.fuzzy and w.key.isalpha()
                              and len(w.key) >= (3 if w.prefix else 4)))


def compounds_of(conn: Connection, query: ParsedQuery) -> Compounds:
    """Word → the compound words it finds as a part (a prefix: as the beginning of a part)."""
    cache = _CACHE.get(conn)
    if cache is None:
        cache = _CACHE[conn] = {}
    if query not in cache:
        cache[query] = _look_up(conn, _asked(query))
    return cache[query]


def _look_up(conn: Connection, words: list[Word]) -> Compounds:
    if not words:
        return {}
    found: dict[Word, list[str]] = {}
    exact = [w for w in words if not w.prefix]
    prefixes = [w for w in words if w.prefix]
    each = COMPOUND_EXPANSIONS + 1
    if exact:
        rows = fetch_rows(conn, "SELECT k, c.word FROM unnest(CAST(:keys AS text[])) AS k, LATERAL "
                                "(SELECT word FROM search_parts WHERE part = k "
                                "ORDER BY length(word), word LIMIT :n) c", {"keys": [w.key for w in exact], "n": each})
        by_key = {w.key: w for w in exact}
        for key, word in rows:
            found.setdefault(by_key[key], []).append(word)
    for w in prefixes:                          # few: a prefix of few words is expanded into them (search.py)
        rows = fetch_rows(conn, "SELECT DISTINCT word, length(word) FROM (SELECT word FROM search_parts "
                                "WHERE part >= :k AND part < :h LIMIT 5000) p ORDER BY length(word), word LIMIT :n",
                          {"k": w.key, "h": w.key + "\U0010ffff", "n": each})
        if rows:
            found[w] = [r[0] for r in rows]
    return _share(found)


def _share(found: dict[Word, list[str]]) -> Compounds:
    """At most COMPOUND_EXPANSIONS compounds in all: each word in turn takes its next shortest."""
    taken: dict[Word, list[str]] = {w: [] for w in found}
    budget = COMPOUND_EXPANSIONS
    depth = 0
    while budget > 0:
        progressed = False
        for word, compounds in found.items():
            if depth < len(compounds) and budget > 0:
                taken[word].append(compounds[depth])
                budget -= 1
                progressed = True
        if not progressed:
            break
        depth += 1
    return {w: tuple(c) for w, c in taken.items() if c}


# The compound look-ups of one search (counting, ranking, exclusions) run in one transaction: per
# connection, and forgotten with it.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
