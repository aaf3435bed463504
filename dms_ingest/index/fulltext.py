"""The inverted index on each backend: SQLite FTS5 (contentless) and PostgreSQL tsvector + GIN.

Both store only terms, never the page text again (that lives once, in pages.text). The terms come
from `analysis.analyse`, so both backends find the same pages; only the score scale differs
(FTS5 bm25, PostgreSQL ts_rank). Exact words weigh 1, compound parts 0.1, filter tokens 0.
PostgreSQL keeps no word positions: phrases are checked against the page text (phrases.py).
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .analysis import PageTerms, strong_token
from .compound_lookup import Compounds, compounds_of
from .rows import fetch_rows, id_array
from .page_text import unpack
from .page_writes import insert_rows
from .phrases import PhraseCheck
from .query import AnyOf, ParsedQuery, Phrase, Term, Word

PART_WEIGHT = 0.1
# ts_rank's weights {D, C, B, A}: every lexeme is stored stripped, which ranks as weight D.
_WEIGHTS = "'{1, 0, 0, 0}'"


def remember_words(conn: Connection, words: list[str]) -> None:
    """Add words to the vocabulary that fuzzy search draws on (words already there are skipped)."""
    insert_rows(conn, "search_words", ("word",), [(w,) for w in words], "ON CONFLICT DO NOTHING")


def compound_pairs(entries: list) -> set[tuple[str, str]]:
    """(part, compound word) of every compound on the entries' pages ("vertrag", "mietvertrag")."""
    return {(part, entry.terms.words[position - 1]) for entry in entries for part, position in entry.terms.parts}


def pages_in_index(conn: Connection, page_ids: list[int]) -> list[int]:
    """The pages that are in the full-text index now (during `dms reindex` some are not yet)."""
    upto = conn.execute(text("SELECT value FROM search_state WHERE name = 'reindex_upto'")).scalar()
    if upto is None:
        return page_ids
    cursor = int(conn.execute(text("SELECT value FROM search_state WHERE name = 'reindex_cursor'")).scalar() or 0)
    return [p for p in page_ids if p <= cursor or p > int(upto)]


@dataclass
class IndexEntry:
    page_id: int
    terms: PageTerms
    tokens: list[str]                   # filter tokens of the document and "strong word" tokens


class SqliteFullText:
    """FTS5 without stored content: columns words (keys in order), parts (compound parts), meta (tokens).

    A contentless table forgets what was inserted, so removing a row needs the same values again:
    `delete` recomputes them from the page text and the document's old metadata."""

    table = "page_fts"
    version = ""                # search_state's analyser version gets no suffix
    rank_limit = 1000           # candidate pages per search (see search.py); cost grows with it

    def create(self, conn: Connection, index: bool = True) -> None:
        conn.execute(text(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5(words, parts, meta, content='', "
            "tokenize = 'unicode61 remove_diacritics 0')"))

    def drop(self, conn: Connection) -> None:
        conn.execute(text(f"DROP TABLE IF EXISTS {self.table}"))

    def has_current_layout(self, conn: Connection) -> bool:
        columns = [r[1] for r in conn.execute(text(f"PRAGMA table_info({self.table})"))]
        return not columns or columns == ["words", "parts", "meta"]

    @staticmethod
    def _values(entry: IndexEntry) -> dict:
        return {"id": entry.page_id, "w": " ".join(entry.terms.words),
                "p": " ".join(p for p, _ in entry.terms.parts),
                "m": " ".join(entry.tokens + [strong_token(w) for w in entry.terms.strong])}

    def insert(self, conn: Connection, entries: list[IndexEntry]) -> None:
        insert_rows(conn, self.table, ("rowid", "words", "parts", "meta"), [tuple(self._values(e).values()) for e in entries])

    def delete(self, conn: Connection, entries: list[IndexEntry]) -> None:
        if entries:
            conn.execute(text(f"INSERT INTO {self.table} ({self.table}, rowid, words, parts, meta) "
                              "VALUES ('delete', :id, :w, :p, :m)"), [self._values(e) for e in entries])

    def clear(self, conn: Connection) -> None:
        conn.execute(text(f"INSERT INTO {self.table} ({self.table}) VALUES ('delete-all')"))

    def reclaim(self, engine, finished: bool = False) -> None:
        pass                    # FTS5 rewrites no page rows

    keeps_compounds = False     # FTS5 indexes the parts in a column of their own: no part vocabulary

    def create_vocabulary(self, conn: Connection) -> None:
        pass

    def clear_vocabulary(self, conn: Connection) -> None:
        pass

    def remember_compounds(self, conn: Connection, pairs: set[tuple[str, str]]) -> None:
        pass

    # --- query ---------------------------------------------------------------------------

    def _term(self, term: Term) -> str:
        if isinstance(term, AnyOf):
            return "(" + " OR ".join(self._term(t) for t in term.items) + ")"
        if isinstance(term, Phrase):
            return 'words : "' + " ".join(term.keys) + '"'
        columns = "{words parts}" if term.compound else "words"
        return f'{columns} : "{term.key}"' + ("*" if term.prefix else "")

    def expression(self, query: ParsedQuery, filters: list[list[str]], strong: list[Word] | None = None) -> str:
        parts = [self._term(t) for t in query.required]     # none: the filters alone (a case's documents)
        parts += ["meta : (" + " OR ".join(f'"{t}"' for t in group) + ")" for group in filters]
        if strong:
            parts.append("meta : (" + " OR ".join(f'"{strong_token(w.key)}"' + ("*" if w.prefix else "")
                                                  for w in strong) + ")")
        expression = " AND ".join(parts)
        if query.excluded:
            expression = f"({expression}) NOT ({' OR '.join(self._term(t) for t in query.excluded)})"
        return expression

    def match(self, conn: Connection, query: ParsedQuery, filters: list[list[str]], limit: int,
              strong: list[Word] | None = None, scored: bool = True, check_text: bool = True) -> list[tuple[int, float]]:
        """(page id, score) of up to *limit* matching pages, the newest first (FTS5 reads its lists
        backwards and stops after *limit*). Unscored (score 0) skips bm25, whose document frequencies
        take a pass over each word's whole list. (*check_text*: FTS5 decides phrases in its index.)"""
        score = f"-bm25({self.table}, 1.0, {PART_WEIGHT}, 0.0)" if scored else "0.0"
        return fetch_rows(conn, f"SELECT rowid, {score} FROM {self.table} WHERE {self.table} MATCH :q "
                                "ORDER BY rowid DESC LIMIT :n", {"q": self.expression(query, filters, strong), "n": limit})

    def estimate(self, conn: Connection, query: ParsedQuery, filters: list[list[str]], probe_below: int = 0
                 ) -> int | None:
        return None                     # FTS5 keeps no statistics; counting the first matches is cheap

    @staticmethod
    def checks_text(query: ParsedQuery) -> bool:
        """Whether matching reads page texts (FTS5 decides phrases in the index: never)."""
        return False

    @staticmethod
    def phrase_check(conn: Connection, query: ParsedQuery) -> None:
        return None                     # every match FTS5 returns holds its phrases

    @staticmethod
    def scores_cheaply(query: ParsedQuery) -> bool:
        """bm25 reads each phrase's whole list once per query (document frequency): cheap enough on
        a million pages for one word, not for a phrase (positions checked on every page) or a
        prefix's or several words' lists."""
        return len(query.required) == 1 and isinstance(query.required[0], Word) and not query.required[0].prefix

    def size_bytes(self, conn: Connection) -> int:
        try:
            return int(conn.execute(text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE :t"), {"t": self.table + "%"}).scalar() or 0)
        except Exception:               # dbstat is compiled out of some SQLite builds
            return 0


# Newest first on PostgreSQL (PostgresFullText.match): the newest pages tested to judge how dense
# the matches are, the most pages a backward scan reads before GIN takes over, and what testing
# one page costs in GIN bitmap entries: about 2 since the vectors are in the page rows (at 1M
# pages a backward scan tests a row in ~1.5 µs, GIN builds its bitmap at ~0.85 µs per match:
# "mit freundlichen Grüßen" 20 ms backwards against 84 ms by GIN; 5 before, with page_search).
SCAN_PROBE = 1000
SCAN_WINDOW = 20000
SCAN_ROW_COST = 2


def long_token_lists(filters: list[list[str]]) -> bool:
    """Whether a filter is a long token list (an allowed list of cases): few matches, costly to
    test row by row, and not judged by the newest pages."""
    return any(len(group) > 8 for group in filters)


# Phrase candidates (all their words on the page) checked against the page text per match, at most
# this many times its limit: beyond, the matches returned are marked cut short (Matches).
PHRASE_CHECK_FACTOR = 2


class Matches(list):
    """(page id, score) rows of `match`. cut_short: phrase checking stopped before it had *limit*
    rows or had seen every candidate, so more pages may match than were returned."""

    cut_short = False


class PostgresFullText:
    """One tsvector per page, in the page's own row (pages.tsv, GIN pages_tsv). The page's words
    without positions (stripped): positions were a sixth of the index per page and only phrases
    need them, which are checked against the stored text instead (phrases.py). Filter and
    strong-word tokens are stripped too. In the page row rather than a table of its own
    (page_search before): no second tuple header, key and primary key per page (~55 bytes) and one
    insert per page fewer. A page not (yet) indexed has no vector (NULL: matches nothing).

    Compound parts are not in the page vectors (they were ~190 of ~1,470 bytes per page): the
    vocabulary search_parts (part → compound word, kept beside search_words) turns a word of the
    query into the word OR its compounds ("vertrag" → vertrag | mietvertrag | ...), at most
    COMPOUND_EXPANSIONS of them per query (`compounds`).

    ts_rank counts a stripped lexeme once: a page's words weigh 1, its compounds of a query word
    PART_WEIGHT (a rank of their own, `match`). The term frequency lost with the positions comes
    back through the strong-word tokens, which the rank query asks for beside each word (a page
    where the word weighs strongly scores more)."""

    table = "pages"
    index = "pages_tsv"
    legacy_table = "page_search"    # where the vectors were before (version "vc"): dropped by a rebuild
    # search_state's analyser version gets this suffix: "3vcp" (words stripped, compounds found by
    # the part vocabulary, vectors in the page rows; "3vc" kept them in page_search, "3v" held part
    # lexemes in the vectors). An index of another suffix is rebuilt (catalog.py).
    version = "vcp"

    rank_limit = 1000           # ranking reads each candidate's tsvector from the heap

    def create(self, conn: Connection, index: bool = True) -> None:
        """The vector column (and with *index* its GIN index). Every variable-length column of the
        page row is kept in the row (storage MAIN) rather than in TOAST: ranking reads vectors,
        phrase checks texts, every search the document id. A row over ~2 kB (a fifth of generated
        pages) then has its vector compressed in place; with EXTENDED, PostgreSQL would first have
        moved the text out, and any value over ~24 bytes, the 24-character document id included."""
        exists = conn.execute(text("SELECT count(*) FROM pg_attribute WHERE attrelid = 'pages'::regclass "
                                   "AND attname = 'tsv' AND NOT attisdropped")).scalar()
        if not exists:
            conn.execute(text("ALTER TABLE pages ADD COLUMN tsv tsvector"))
            columns = conn.execute(text("SELECT attname FROM pg_attribute WHERE attrelid = 'pages'::regclass "
                                        "AND attnum > 0 AND NOT attisdropped AND attstorage = 'x'")).scalars().all()
            conn.execute(text("ALTER TABLE pages " + ", ".join(f'ALTER COLUMN "{c}" SET STORAGE MAIN' for c in columns)))
            if conn.execute(text("SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' "
                                 "AND 'lz4' = ANY(enumvals)")).scalar():
                conn.execute(text("ALTER TABLE pages ALTER COLUMN tsv SET COMPRESSION lz4"))
        if index:
            self.create_index(conn)

    def create_index(self, conn: Connection) -> None:
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {self.index} ON pages USING gin (tsv)"))

    def drop_index(self, conn: Connection) -> None:
        conn.execute(text(f"DROP INDEX IF EXISTS {self.index}"))

    def drop(self, conn: Connection) -> None:
        """Forget every vector: the column goes (at once, whatever the table's size; the rows drop
        the old values when next written, as `dms reindex` does to each), and the older layout's table."""
        conn.execute(text(f"DROP TABLE IF EXISTS {self.legacy_table}"))
        conn.execute(text("ALTER TABLE pages DROP COLUMN IF EXISTS tsv"))

    def has_current_layout(self, conn: Connection) -> bool:
        return conn.execute(text("SELECT to_regclass(:t)"), {"t": self.legacy_table}).scalar() is None

    @staticmethod
    def tsvector(entry: IndexEntry) -> str:
        """The tsvector literal of a page (keys are alphanumeric: no quoting needed); no compound parts."""
        return " ".join([*dict.fromkeys(entry.terms.words), *entry.tokens, *(strong_token(w) for w in entry.terms.strong)])

    def insert(self, conn: Connection, entries: list[IndexEntry]) -> None:
        """Set the vectors of existing page rows."""
        if not entries:
            return
        from psycopg2.extras import execute_values

        cursor = conn.connection.cursor()
        try:
            execute_values(cursor, "UPDATE pages SET tsv = CAST(v.tsv AS tsvector) FROM (VALUES %s) AS v (id, tsv) "
                                   "WHERE pages.id = v.id", [(e.page_id, self.tsvector(e)) for e in entries],
                           page_size=1000)
        finally:
            cursor.close()

    def delete(self, conn: Connection, entries: list[IndexEntry]) -> None:
        if entries:
            conn.execute(text("UPDATE pages SET tsv = NULL WHERE id = ANY(:ids) AND tsv IS NOT NULL"),
                         {"ids": [e.page_id for e in entries]})

    def clear(self, conn: Connection) -> None:
        conn.execute(text("UPDATE pages SET tsv = NULL WHERE tsv IS NOT NULL"))

    @staticmethod
    def reclaim(engine, finished: bool = False) -> None:
        """VACUUM the page rows, after each batch of `dms reindex`: each vector written rewrites its
        page row, and the old versions' space is only reused once VACUUM has freed it (a whole
        rewrite without it left the table twice its size: 5.29 × the text instead of 3.3 at 30k);
        so the table grows by about one batch. Cheap at any size: VACUUM reads only the pages
        written since, and skips the indexes while under 2 % of the table's pages hold dead rows.
        *finished*: also rebuild the table's b-trees (online), which every rewritten row had given
        a second entry (their size doubled)."""
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM pages"))
            if finished:
                for (index,) in conn.execute(text(
                        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = 'pages'::regclass AND a.amname = 'btree'")).all():
                    conn.execute(text(f'REINDEX INDEX CONCURRENTLY "{index}"'))

    keeps_compounds = True      # search_parts: part → compound words

    def create_vocabulary(self, conn: Connection) -> None:
        # By part: a query word's compounds are one index range (the primary key's).
        conn.execute(text("CREATE TABLE IF NOT EXISTS search_parts (part VARCHAR NOT NULL, word VARCHAR NOT NULL, "
                          "PRIMARY KEY (part, word))"))

    def clear_vocabulary(self, conn: Connection) -> None:
        conn.execute(text("DELETE FROM search_parts"))

    def remember_compounds(self, conn: Connection, pairs: set[tuple[str, str]]) -> None:
        """Add (part, compound word) pairs to the part vocabulary (those already there are skipped)."""
        if pairs:
            insert_rows(conn, "search_parts", ("part", "word"), sorted(pairs), "ON CONFLICT DO NOTHING")

    # --- query ---------------------------------------------------------------------------

    def _term(self, term: Term, compounds: Compounds) -> str:
        if isinstance(term, AnyOf):
            return "(" + " | ".join(self._term(t, compounds) for t in term.items) + ")"
        if isinstance(term, Phrase):            # its words anywhere: the order is checked on the text
            return "(" + " & ".join(f"'{k}'" for k in term.keys) + ")"
        word = f"'{term.key}'" + (":*" if term.prefix else "")
        found = compounds.get(term, ())
        return "(" + " | ".join([word, *(f"'{c}'" for c in found)]) + ")" if found else word

    def text_query(self, query: ParsedQuery, compounds: Compounds) -> str:
        """The query's words (and their compounds) as a tsquery; an excluded phrase is left to the phrase check."""
        expression = " & ".join(self._term(t, compounds) for t in query.required)
        excluded = [t for t in query.excluded if not isinstance(t, Phrase)]
        if excluded:
            expression = f"({expression}) & !({' | '.join(self._term(t, compounds) for t in excluded)})"
        return expression

    @staticmethod
    def rank_query(query: ParsedQuery) -> str:
        """Every word asked for and its strong-word token, ORed: ts_rank then averages what each
        adds to the page (an AND would rank by word distances, which stripped lexemes lack)."""
        items = []
        for word in query.words():
            star = ":*" if word.prefix else ""
            items += [f"'{word.key}'{star}", f"'{strong_token(word.key)}'{star}"]
        return " | ".join(dict.fromkeys(items))

    @staticmethod
    def compound_rank_query(query: ParsedQuery, compounds: Compounds) -> str:
        """The compounds of the words asked for, ORed ("" if none): ranked apart, at PART_WEIGHT."""
        return " | ".join(dict.fromkeys(f"'{c}'" for word in query.words() for c in compounds.get(word, ())))

    def expression(self, query: ParsedQuery, filters: list[list[str]], strong: list[Word] | None = None,
                   implied: bool = False, compounds: Compounds | None = None) -> str:
        """The tsquery of words, filters and (if given) strong-word tokens. *implied*: a single
        word, or one choice of words (a prefix's words), is left out when the strong tokens are
        asked for, which imply it (GIN then need not read the common words' whole lists)."""
        if implied and strong and len(query.required) == 1 and not query.excluded:
            term = query.required[0]
            implied = all(isinstance(item, Word) for item in (term.items if isinstance(term, AnyOf) else (term,)))
        else:
            implied = False
        parts = [f"({self.text_query(query, compounds or {})})"] if query.required and not implied else []
        parts += ["(" + " | ".join(f"'{t}'" for t in group) + ")" for group in filters]
        if strong:
            parts.append("(" + " | ".join(f"'{strong_token(w.key)}'" + (":*" if w.prefix else "")
                                          for w in strong) + ")")
        return " & ".join(parts)

    def match(self, conn: Connection, query: ParsedQuery, filters: list[list[str]], limit: int,
              strong: list[Word] | None = None, scored: bool = True, check_text: bool = True) -> Matches:
        """(page id, score) of up to *limit* matching pages, the newest first where they are dense.

        GIN hands over matches only as the bitmap of all of them, built before the first row: its
        cost grows with the archive for a common word. Where the newest pages are dense with
        matches (measured on the newest SCAN_PROBE pages), they are read backwards along the
        primary key and each vector tested, at most SCAN_WINDOW pages: bounded however large the
        archive. What that window does not yield comes from GIN, from the older pages.

        A query with a phrase reads candidates in batches, keeping those whose text holds the
        phrase, until it has *limit* of them, has seen all, or has checked PHRASE_CHECK_FACTOR ×
        limit (then the rows are marked cut_short); without *check_text*, the pages holding its words."""
        # GIN, not a sequential scan, for the rest: the planner misjudges long OR lists (200 allowed
        # cases) under a LIMIT and would read the whole table; one core per query, no JIT.
        conn.execute(text("SET LOCAL work_mem = '64MB'; SET LOCAL enable_seqscan = off; "
                          "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"))
        compounds = compounds_of(conn, query)
        params = {"r": self.rank_query(query), "rc": self.compound_rank_query(query, compounds),
                  "q": self.expression(query, filters, strong, implied=True, compounds=compounds)}
        rank = "0.0"
        if query.required and scored:       # a page's words weigh 1, its compounds of the words PART_WEIGHT
            rank = f"ts_rank({_WEIGHTS}, tsv, CAST(:r AS tsquery), 1)"
            if params["rc"]:
                rank += f" + {PART_WEIGHT} * ts_rank({_WEIGHTS}, tsv, CAST(:rc AS tsquery), 1)"
        select = f"SELECT id, {rank} FROM pages WHERE tsv @@ CAST(:q AS tsquery)"
        params["floor"] = floor = self._scan_floor(conn, query, params["q"], limit, filters)
        found = _Found(conn, limit, _phrase_check(conn, query) if check_text else None)
        if floor is not None:
            conn.execute(text("SET LOCAL enable_bitmapscan = off"))
            newest = select + " AND id > :floor ORDER BY id DESC LIMIT :n"
            while found.wanted():
                asked = found.more()
                batch = fetch_rows(conn, newest, {**params, "n": asked})
                if not found.add(batch, complete=len(batch) < asked):
                    break
                newest = select + " AND id > :floor AND id < :below ORDER BY id DESC LIMIT :n"
                params["below"] = batch[-1][0]
            conn.execute(text("SET LOCAL enable_bitmapscan = on"))
        # GIN (an unordered LIMIT): a phrase's further batches ask again for more, the pages seen skipped.
        older = select + ("" if floor is None else " AND id <= :floor") + " LIMIT :n"
        asked = found.more()
        while found.wanted() and not found.done:
            batch = fetch_rows(conn, older, {**params, "n": asked})
            if not found.add(batch, complete=len(batch) < asked):
                break
            asked += found.more()
        return found.rows

    def _scan_floor(self, conn: Connection, query: ParsedQuery, expression: str, limit: int,
                    filters: list[list[str]]) -> int | None:
        """The page id above which to read backwards, or None for GIN. Judged by the share of
        matches among the newest SCAN_PROBE pages: reading backwards must be expected to find
        *limit* matches within SCAN_WINDOW pages and to cost less than GIN's bitmap of all
        matches (SCAN_ROW_COST bitmap entries per page read). Long token lists (200 allowed
        cases) are costly to test row by row and leave few matches: GIN. So are words the planner
        knows to be rare (its statistics hold each common word's frequency; it misjudges phrases,
        which are always probed)."""
        if long_token_lists(filters):
            return None
        phrases = any(isinstance(item, Phrase) for term in query.required
                      for item in (term.items if isinstance(term, AnyOf) else (term,)))
        if not phrases and self._planned_rows(conn, expression) <= limit:
            return None
        top, bottom, found, tested = _probe(conn, expression)
        if not found:
            return None
        to_read = limit * tested / found
        all_matches = found / tested * (top - bottom + 1)
        if to_read > SCAN_WINDOW or to_read * SCAN_ROW_COST > all_matches:
            return None
        return top - SCAN_WINDOW

    @staticmethod
    def scores_cheaply(query: ParsedQuery) -> bool:
        return True                     # ts_rank reads only the candidate's own tsvector

    @staticmethod
    def checks_text(query: ParsedQuery) -> bool:
        """Whether matching reads page texts: a phrase's order is checked there."""
        return PhraseCheck.of(query) is not None

    @staticmethod
    def phrase_check(conn: Connection, query: ParsedQuery) -> PhraseCheck | None:
        """The check of the query's phrases on the page texts, shared by the matches of one search
        (on *conn*); None if it has no phrase."""
        return _phrase_check(conn, query)

    def estimate(self, conn: Connection, query: ParsedQuery, filters: list[list[str]], probe_below: int = 0
                 ) -> int | None:
        """How many pages match, about: the planner's guess (from ANALYZE's most common lexemes), or
        where that is at most *probe_below*, the share of matches among the newest SCAN_PROBE pages
        over the whole archive if that is more. The planner takes words for independent: for
        "Erteilung einer Aufenthaltserlaubnis", which stand together, it guessed under 4,000 of
        the ~20,000 pages at 1M. Long token lists (allowed cases) are left to the planner."""
        expression = self.expression(query, filters, compounds=compounds_of(conn, query))
        planned = self._planned_rows(conn, expression)
        if planned > probe_below or long_token_lists(filters):
            return planned
        top, bottom, found, tested = _probe(conn, expression)
        return max(planned, round(found / tested * (top - bottom + 1))) if tested else planned

    def _planned_rows(self, conn: Connection, expression: str) -> int:
        plan = conn.execute(text("EXPLAIN (FORMAT JSON) SELECT 1 FROM pages WHERE tsv @@ CAST(:q AS tsquery)"),
                            {"q": expression}).scalar()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])

    def size_bytes(self, conn: Connection) -> int:
        """The GIN index and the vectors in the page rows."""
        return int(conn.execute(text(f"SELECT pg_relation_size('{self.index}') + "
                                     "(SELECT coalesce(sum(pg_column_size(tsv)), 0) FROM pages)")).scalar() or 0)


def _per_search(store: weakref.WeakKeyDictionary, conn: Connection, key, make):
    """What *make* gives for *key* within one search: kept per connection (a search runs in one
    transaction), forgotten with it."""
    memo = store.get(conn)
    if memo is None:
        memo = store[conn] = {}
    if key not in memo:
        memo[key] = make()
    return memo[key]


# The probes of one search's expressions (estimate, then each match's newest-first judgement).
_PROBES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _probe(conn: Connection, expression: str) -> tuple[int, int, int, int]:
    """(newest page id, oldest page id, matches, pages tested) among the newest SCAN_PROBE pages."""
    return _per_search(_PROBES, conn, expression, lambda: fetch_rows(
        conn, "SELECT max(id), (SELECT min(id) FROM pages), "
              "count(*) FILTER (WHERE tsv @@ CAST(:q AS tsquery)), count(*) "
              "FROM (SELECT id, tsv FROM pages ORDER BY id DESC LIMIT :p) newest",
        {"q": expression, "p": SCAN_PROBE})[0])


class _Found:
    """The rows `PostgresFullText.match` collects: as they come, or for a phrase query those whose
    page text passes the check, checked a chunk at a time until enough pass (each candidate once,
    however often a batch repeats it), at most PHRASE_CHECK_FACTOR × limit candidates."""

    def __init__(self, conn: Connection, limit: int, check: PhraseCheck | None):
        self.conn, self.limit, self.check = conn, limit, check
        self.rows = Matches()
        self.done = False                       # the check's budget spent
        self._seen: set[int] = set()
        self._budget = PHRASE_CHECK_FACTOR * limit
        self._checked = self._passed = 0

    def wanted(self) -> int:
        return self.limit - len(self.rows)

    def more(self, margin: float = 1.2) -> int:
        """How many more candidates to read: what is wanted, and for a phrase as many more as the
        share of candidates failing the check so far predicts (with *margin*: one read fewer)."""
        if self.check is None:
            return self.wanted()
        share = max(self._passed / self._checked, 0.05) if self._checked else 1.0
        return max(1, min(int(self.wanted() / share * margin) + 16, int(self._budget)))

    def add(self, batch: list[tuple], complete: bool) -> bool:
        """Take a batch (*complete*: no more candidates where it came from); whether to read on there."""
        if self.check is None:
            self.rows += batch[:self.wanted()]
            return False                        # asked for exactly what was wanted
        fresh = [row for row in batch if row[0] not in self._seen]
        start = 0
        while start < len(fresh) and self.wanted() and self._budget > 0:
            chunk = fresh[start:start + self.more(margin=1.0)]
            start += len(chunk)
            self._seen.update(row[0] for row in chunk)
            passing = self._passing(chunk)
            self._checked += len(chunk)
            self._passed += len(passing)
            self.rows += passing[:self.wanted()]
        if self.wanted() and self._budget <= 0 and (start < len(fresh) or not complete):
            self.rows.cut_short = self.done = True
        return not complete and not self.done and self.wanted() > 0

    def _passing(self, rows: list[tuple]) -> list[tuple]:
        """The rows whose page passes the check: pages checked before in this search as found then."""
        self._budget -= check_pages(self.conn, self.check, [row[0] for row in rows])
        return [row for row in rows if self.check.results[row[0]]]


def check_pages(conn: Connection, check: PhraseCheck, page_ids: list[int]) -> int:
    """Check the pages against *check*, their texts read in one query; pages checked before in
    this search keep their result (check.results). Returns how many were checked now."""
    known = check.results
    unknown = [page_id for page_id in page_ids if page_id not in known]
    if unknown:
        texts = dict(fetch_rows(conn, "SELECT id, text FROM pages WHERE id = ANY(CAST(:ids AS integer[]))",
                                {"ids": id_array(unknown)}))
        for page_id in unknown:
            stored = texts.get(page_id)
            known[page_id] = stored is not None and check(unpack(stored))
    return len(unknown)


# The matches of one search (counting, strong words, the newest) run in one transaction and share
# the phrase checks made: per connection, and forgotten with it.
_CHECKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _phrase_check(conn: Connection, query: ParsedQuery) -> PhraseCheck | None:
    return _per_search(_CHECKS, conn, query, lambda: PhraseCheck.of(query))
