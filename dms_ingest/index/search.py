"""Catalog search: ranked documents with filters, facets, stable paging and marked snippets.

The plan of one search, the same on both backends:
1. Parse the query (`query.parse`); expand fuzzy words against the vocabulary of indexed words and
   a prefix into its few indexed words (`expand_prefixes`).
2. Turn filters and access limits into token groups that run inside the full-text query.
3. Fetch up to `rank_limit` + 1 matching pages, unscored (PostgreSQL skips this when the planner
   already knows the words are common, or the newest pages show that words standing together are). If that is all of them, score them: ranking, total and
   facets are exact.
4. Otherwise (a common word) rank only the pages where a query word weighs strongly (see
   `analysis.STRONG_IMPACT`), at most rank_limit of them, the newest first (on PostgreSQL where
   they are dense, `PostgresFullText.match`): no page outside them can reach the first result page. The total is then a lower bound (`total_exact` false, shown
   as "more than N"), `total_estimate` a guess of all matching documents, and the facets count
   the ranked candidates. Each query reads about 2 × rank_limit pages however many match.
5. Pages fold into documents (a document scores as its best page); order by score, then id, so
   paging is stable; snippets only for the page of hits returned.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import text

from ..office_time import as_utc, day_end, day_start, office_day
from .fulltext import check_pages, long_token_lists
from .rows import fetch_rows, id_array
from .analysis import case_token, date_range_tokens, review_token, team_token, type_token
from .query import AnyOf, ParsedQuery, SearchQuery, Word, parse
from .page_text import unpack
from .snippets import make_snippet


@dataclass
class SearchHit:
    id: str
    score: float
    snippet: str
    page: int
    doc_type: str | None
    case_number: str | None
    source: str
    title: str = ""
    review: bool = False
    received: str = ""
    snippet_html: str = ""

    def to_json(self) -> dict:
        return {"id": self.id, "score": self.score, "snippet": self.snippet, "page": self.page,
                "doc_type": self.doc_type, "case_number": self.case_number, "source": self.source,
                "title": self.title, "review": self.review, "received": self.received}


@dataclass
class SearchPage:
    query: SearchQuery
    total: int                              # matching documents (a lower bound, "more than", if not total_exact)
    total_exact: bool
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, int] = field(default_factory=dict)    # doc_type ("" = none) → documents
    total_estimate: int | None = None       # if not total_exact: about how many documents match in all

    @property
    def total_is_estimate(self) -> bool:
        return not self.total_exact

    def to_json(self) -> dict:
        return {"total": self.total, "total_exact": self.total_exact, "total_is_estimate": self.total_is_estimate,
                "total_estimate": self.total_estimate if self.total_estimate is not None else self.total,
                "offset": self.query.offset,
                "limit": self.query.limit, "facets": {"doc_type": self.facets},
                "hits": [h.to_json() for h in self.hits]}


@dataclass
class Filters:
    """Token groups for the index query (every group must match one of its tokens), and the same
    conditions on the document row: hashed tokens could in theory collide, the row check cannot."""

    groups: list[list[str]]
    query: SearchQuery
    scoped: bool = False                    # an access scope applies (allowed cases and/or teams)
    nothing_visible: bool = False

    def __post_init__(self):
        # Asked for every candidate (up to ~2,000 per search): the sets are made once.
        q = self.query
        self._cases = None if q.case_numbers is None else {c.strip().upper() for c in q.case_numbers}
        self._types = None if q.doc_types is None else {t or "" for t in q.doc_types}
        self._allowed_cases = {c.strip().upper() for c in q.allowed_cases or ()}
        self._allowed_teams = frozenset(q.allowed_teams or ())

    def admits(self, case_number: str | None, doc_type: str | None, review, received, team: str | None) -> bool:
        """Whether a candidate's document row passes; *team* is its case's current team (cases.team),
        which decides even where the page's team token is stale (a team change being re-tagged)."""
        q = self.query
        case = (case_number or "").strip().upper()
        if self._cases is not None and case not in self._cases:
            return False
        if self._types is not None and (doc_type or "") not in self._types:
            return False
        if q.review is not None and bool(review) != q.review:
            return False
        if q.received_from or q.received_to:
            at = as_utc(_as_datetime(received))
            if q.received_from and at < _bound(q.received_from, start=True):
                return False
            if q.received_to and at > _bound(q.received_to, start=False):
                return False
        if self.scoped:
            if not case:
                return q.include_unassigned
            return case in self._allowed_cases or (team is not None and team in self._allowed_teams)
        return True


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _bound(value: date | datetime, start: bool) -> datetime:
    """A received_from/to bound as a UTC instant: a day means its whole office (Berlin) day."""
    if isinstance(value, datetime):
        return as_utc(value)
    return day_start(value) if start else day_end(value)


def _day(value: date | datetime | None) -> date | None:
    return None if value is None else office_day(value)


def build_filters(query: SearchQuery) -> Filters:
    groups: list[list[str]] = []
    if query.case_numbers is not None:
        groups.append([case_token(c) for c in query.case_numbers])
    if query.doc_types is not None:
        groups.append([type_token(t) for t in query.doc_types])
    days = date_range_tokens(_day(query.received_from), _day(query.received_to))   # whole office days; rows re-checked
    if days is not None:
        groups.append(days)
    if query.review is not None:
        groups.append([review_token(query.review)])
    scoped = query.allowed_cases is not None or query.allowed_teams is not None
    if scoped:
        # One token per allowed team (every page of a case carries its team's, team_scope.py), one
        # per case allowed outside those teams, the intake's if documents without a case are visible.
        groups.append(sorted({team_token(t) for t in query.allowed_teams or ()}
                             | {case_token(c) for c in query.allowed_cases or ()}
                             | ({case_token(None)} if query.include_unassigned else set())))
    return Filters(groups, query, scoped, nothing_visible=any(not g for g in groups))


def _replace_words(term, replace):
    """*term* with each Word put through *replace* (which may return an AnyOf: it is flattened in)."""
    if isinstance(term, AnyOf):
        items = []
        for item in term.items:
            expanded = _replace_words(item, replace)
            items.extend(expanded.items if isinstance(expanded, AnyOf) else (expanded,))
        return AnyOf(tuple(items))
    return replace(term) if isinstance(term, Word) else term


def expand_fuzzy(parsed: ParsedQuery, vocabulary) -> ParsedQuery:
    """Replace each `word~` by the indexed words within its edit distance (the word itself included)."""
    def expand(word: Word):
        if not word.fuzzy:
            return word
        similar = similar_words(word.key, word.fuzzy, vocabulary())
        return AnyOf(tuple(Word(k, compound=False) for k in dict.fromkeys([word.key, *similar])))
    return ParsedQuery(tuple(_replace_words(t, expand) for t in parsed.required),
                       tuple(_replace_words(t, expand) for t in parsed.excluded))


def _ocr_shape(word: str) -> str:
    # Glyphs OCR confuses: rn/m, vv/w, cl/d, l/i/j; 0/o and 1/l in words.
    return (word.replace("rn", "m").replace("vv", "w").replace("cl", "d").replace("0", "o")
            .replace("1", "l").replace("l", "i").replace("j", "i"))


def similar_words(key: str, distance: int, vocabulary: dict[int, list[str]], limit: int = 40) -> list[str]:
    """Indexed words within *distance* edits of *key*, or equal once OCR look-alikes are folded."""
    found: dict[str, float] = {}
    shape = _ocr_shape(key)
    for length in range(len(key) - distance, len(key) + distance + 1):
        words = vocabulary.get(length)
        if not words:
            continue
        for word, score, _ in process.extract(key, words, scorer=Levenshtein.distance, score_cutoff=distance,
                                              limit=limit):
            found[word] = min(found.get(word, 9), score)
        for word, score, _ in process.extract(shape, words, scorer=Levenshtein.distance, processor=_ocr_shape,
                                              score_cutoff=0, limit=limit):
            found[word] = min(found.get(word, 9), 0.5)
    return sorted(found, key=lambda w: (found[w], w))[:limit]


PREFIX_EXPANSIONS = 64


def expand_prefixes(conn, parsed: ParsedQuery) -> ParsedQuery:
    """Replace each `prefix*` by the indexed words it stands for when they are at most
    PREFIX_EXPANSIONS: FTS5 reads a list of words lazily, newest page first and stopping after the
    candidates, where a prefix query merges the whole lists of all its words first; GIN turns a
    prefix into one bitmap of all its words' pages before anything else (measured at 300k pages:
    3 times slower than the words). The words come from search_words, which holds the words and
    compound parts indexed (3 to 40 letters)."""
    def expand(term: Word):
        if not term.prefix or len(term.key) < 3 or not term.key.isalpha():
            return term
        words = [r[0] for r in fetch_rows(conn, "SELECT word FROM search_words WHERE word >= :k AND word < :h "
                                                "ORDER BY word LIMIT :n",
                                          {"k": term.key, "h": term.key + "\U0010ffff", "n": PREFIX_EXPANSIONS + 1})]
        if not words or len(words) > PREFIX_EXPANSIONS:
            return term
        return AnyOf(tuple(Word(w, compound=term.compound) for w in words))
    return ParsedQuery(tuple(_replace_words(t, expand) for t in parsed.required), parsed.excluded)


def run_search(catalog, query: SearchQuery) -> SearchPage:
    parsed = parse(query.text)
    if any(isinstance(w, Word) and w.fuzzy for t in parsed.required + parsed.excluded
           for w in (t.items if isinstance(t, AnyOf) else (t,))):
        parsed = expand_fuzzy(parsed, catalog.vocabulary)
    filters = build_filters(query)
    # Without words, the filters alone list documents (all of a case, of a type...), newest first.
    if filters.nothing_visible or not (parsed.required or filters.groups):
        return SearchPage(query, 0, True)
    limit = catalog.rank_limit
    fulltext = catalog.fulltext
    wanted = query.offset + query.limit
    with catalog.engine.begin() as conn:
        parsed = expand_prefixes(conn, parsed)
        rows, exact, estimate, newest_read, newest = _candidates(conn, fulltext, parsed, filters.groups, limit, wanted)
        excluded = _excluded_documents(conn, catalog, parsed, filters) if parsed.excluded else set()
        documents = _PageDocuments(conn, catalog.is_sqlite, filters, excluded)
        check = fulltext.phrase_check(conn, parsed)
        if check is None:
            ranked = documents.ranked(rows)
        else:       # PostgreSQL: the rows hold the phrase's words, not yet in order
            every = exact and len(rows) <= PHRASE_COUNT_CHECKS
            ranked, decided, share = _holding_phrases(conn, check, rows, None if every else wanted, documents)
            if len(ranked) < wanted and not exact and not newest_read:
                # Too few ranked pages hold the phrase: the newest holding its words join them (as
                # for a common word, at most 2 × limit pages in all; the pages checked above are
                # not checked again). The counting pass may have read them.
                if newest is None:
                    newest = fulltext.match(conn, parsed, filters.groups, limit + 1, check_text=False)
                rows = rows + newest[:limit]
                exact = len(newest) <= limit        # then these are all the pages holding its words
                ranked, decided, share = _holding_phrases(conn, check, rows, wanted, documents)
            if not (exact and decided):         # the rest are pages holding the words: scaled by the share holding the phrase
                estimate = round((estimate if estimate is not None else len(rows)) * share)
                exact = False
        pages = documents.pages
        best: dict[str, tuple[float, int]] = {}     # document → (score, page id) of its best page
        doc_types: dict[str, str | None] = {}
        for page_id, score, doc_id in ranked:
            doc_types[doc_id] = pages[page_id][1]
            if doc_id not in best or score > best[doc_id][0]:
                best[doc_id] = (score, page_id)
        # Only the documents up to the page shown need their order (ties: the newer page first), not
        # all ~1,000 candidates; total and facets count them all (a phrase's: those checked to hold it).
        first = heapq.nsmallest(wanted, best, key=lambda d: (-best[d][0], -best[d][1], d))
        facets = dict(sorted(Counter(doc_types[d] or "" for d in best).items(), key=lambda kv: (-kv[1], kv[0])))
        hits = _hits(conn, catalog.is_sqlite, [(d, *best[d]) for d in first[query.offset:]], parsed, query)
    found = len(best)
    if estimate is not None:        # pages → documents at the ratio seen among the candidates
        estimate = max(found, round(estimate * len({v[0] for v in pages.values()}) / max(1, len(pages))))
    return SearchPage(query, found, exact, hits, facets, total_estimate=estimate)


def _filtered_out(filters: Filters, pages: dict[int, tuple]) -> set[str]:
    """The documents among *pages* (_page_documents) whose row fails the filters."""
    if not filters.groups:
        return set()
    return {doc_id for doc_id, doc_type, case_number, review, received, team in pages.values()
            if not filters.admits(case_number, doc_type, review, received, team)}


def _best_first(rows: list[tuple]) -> list[tuple]:
    """Rows (page id, score, ...) by score, ties: the newer page first."""
    return sorted(rows, key=lambda row: (-row[1], -row[0]))


class _PageDocuments:
    """The documents of candidate pages, looked up when needed (a phrase's candidates: only those
    holding it) and kept for the search: `pages` maps page id → its _page_documents row. A
    document failing the filters joins *excluded*."""

    def __init__(self, conn, is_sqlite: bool, filters: Filters, excluded: set[str]):
        self.conn, self.is_sqlite, self.filters, self.excluded = conn, is_sqlite, filters, excluded
        self.pages: dict[int, tuple] = {}

    def of(self, page_ids: list[int]) -> dict[int, str]:
        """page id → document of those pages whose document is found and not excluded."""
        missing = [page_id for page_id in page_ids if page_id not in self.pages]
        if missing:
            more = _page_documents(self.conn, self.is_sqlite, missing)
            self.pages.update(more)
            self.excluded |= _filtered_out(self.filters, more)
        pages, excluded = self.pages, self.excluded
        return {page_id: pages[page_id][0] for page_id in page_ids
                if page_id in pages and pages[page_id][0] not in excluded}

    def ranked(self, rows: list[tuple[int, float]]) -> list[tuple[int, float, str]]:
        """(page id, score, document) of the rows whose document is found and not excluded, best first."""
        located = self.of([page_id for page_id, _ in rows])
        return _best_first([(page_id, score, located[page_id]) for page_id, score in rows if page_id in located])


def _candidates(conn, fulltext, parsed: ParsedQuery, groups: list[list[str]], limit: int,
                wanted: int) -> tuple[list[tuple[int, float]], bool, int | None, bool, list | None]:
    """(page id, score) of the pages to rank, whether they are all matching pages, if not about
    how many pages match, whether the newest matches are among them, and if not, those newest
    limit + 1 matches where they were read anyway (else None). Never more than about 2 × limit
    pages are read or scored.
    A phrase's pages are those holding its words (PostgreSQL): the caller checks its order."""
    # PostgreSQL's planner knows how common a word is, and the newest pages show how common words
    # standing together are: a common one skips the counting pass, which would build the whole
    # bitmap of matches once more.
    estimate = fulltext.estimate(conn, parsed, groups, probe_below=4 * limit) if parsed.required else None
    first: tuple[bool, list] | None = None      # (scored?, rows) of the counting pass, if it ran
    if estimate is None or estimate <= 4 * limit:
        # Which pages match, up to limit + 1 and unscored: scoring comes when we know how many. A long
        # token list (allowed cases) makes few matches and is costly to evaluate twice: scored at once.
        # So is a phrase's: these are the newest matches its check falls back to (run_search).
        scored = bool(parsed.required) and (long_token_lists(groups) or fulltext.checks_text(parsed))
        rows = fulltext.match(conn, parsed, groups, limit + 1, scored=scored, check_text=False)
        first = (scored, rows)
        if len(rows) <= limit:
            rescore = parsed.required and rows and not scored
            return (fulltext.match(conn, parsed, groups, limit + 1, check_text=False) if rescore else rows), True, None, True, None
        if not parsed.required:         # filters alone: the newest documents
            return rows[:limit], False, _estimate_pages(conn, [r[0] for r in rows]), True, None
        estimate = _estimate_pages(conn, [r[0] for r in rows])
    # Many matches: rank the pages where a query word weighs strongly (analysis.STRONG_IMPACT), as no
    # other page can reach the first result pages; if they are too few, fill up with the newest.
    # Where scoring itself grows with the archive (FTS5's bm25 reads the whole list of each phrase
    # once per query: a phrase, a prefix's words, several words), these rank strong (1) or not (0),
    # ties the newest first.
    scored = fulltext.scores_cheaply(parsed)
    strong = [w for w in parsed.words() if not w.fuzzy]
    rows = fulltext.match(conn, parsed, groups, limit, strong=strong, scored=scored, check_text=False) if strong else []
    rows = rows if scored else [(page_id, 1.0) for page_id, _ in rows]
    if len(rows) < 2 * wanted and not fulltext.checks_text(parsed):     # (a phrase's: run_search)
        # The newest limit + 1 matches: the counting pass's rows when it asked the same (with a long
        # allowed-case list each pass costs tens of ms at 1M pages).
        newest = first[1] if first is not None and first[0] == scored else \
            fulltext.match(conn, parsed, groups, limit + 1, scored=scored, check_text=False)
        if len(newest) <= limit:        # the estimate was too high: these are all
            return (newest if scored else fulltext.match(conn, parsed, groups, limit + 1, check_text=False)), True, None, True, None
        rows += newest[:limit]
        return rows, False, estimate, True, None
    return rows, False, estimate, False, first[1] if first is not None and first[0] else None


# A phrase whose words stand on at most this many pages has every one checked (its total is then a
# count); on more, the pages are checked in rank order until the page of results is full.
PHRASE_COUNT_CHECKS = 200


def _holding_phrases(conn, check, rows: list[tuple[int, float]], wanted: int | None, documents: _PageDocuments
                     ) -> tuple[list[tuple[int, float, str]], bool, float]:
    """The (page id, score, document) rows, best first, whose page text holds the query's phrases
    (PostgreSQL keeps no word positions), checked a chunk of texts at a time until *wanted*
    documents have one (None: all). Only the pages holding them are looked up (*documents*): most
    candidates of a rare phrase do not. A document's first passing page is its best, so the
    documents found are exactly the first ones of the whole ranking. Returns those rows, whether
    every row was decided (the rest belong to documents found) and the share of the checked pages
    that passed."""
    ranked = _best_first(rows)
    passing: list[tuple[int, float, str]] = []
    found: set[str] = set()
    at = checked = held = 0
    while at < len(ranked) and (wanted is None or len(found) < wanted):
        if wanted is None:
            size = len(ranked)
        else:   # as many as the share passing so far says are needed, a few more (one read fewer),
            # at most as many as checked so far (the best ranked may hold it least: "Erteilung einer
            # Aufenthaltserlaubnis" passes on none of its first 40 pages and on half after)
            share = max(held / checked, 0.05) if checked else 1.0
            size = min(int((wanted - len(found)) / share * 1.2) + 16, max(checked, 40))
        chunk = ranked[at:at + size]
        at += len(chunk)
        check_pages(conn, check, [page_id for page_id, _ in chunk])
        holding = [row for row in chunk if check.results[row[0]]]
        checked += len(chunk)
        held += len(holding)
        located = documents.of([page_id for page_id, _ in holding])
        for page_id, score in holding:
            document = located.get(page_id)
            if document is not None and document not in found:
                found.add(document)
                passing.append((page_id, score, document))
    return passing, at >= len(ranked), held / checked if checked else 1.0


def _estimate_pages(conn, page_ids: list[int]) -> int:
    """How many pages match in all, from how densely the first matches lie among the page ids:
    the matches read (the newest on SQLite, in table order on PostgreSQL) cover an id range, and
    the archive's whole id range holds proportionally more. A guess (said so), never a count."""
    # Two subqueries: each is one step down the primary key, where min and max together scan the table.
    low, high = conn.execute(text("SELECT (SELECT min(id) FROM pages), (SELECT max(id) FROM pages)")).one()
    if not page_ids or low is None:
        return len(page_ids)
    span = max(page_ids) - min(page_ids) + 1
    return max(len(page_ids), round(len(page_ids) * (high - low + 1) / span))


def _excluded_documents(conn, catalog, parsed: ParsedQuery, filters: Filters) -> set[str]:
    """Documents with an excluded word on any page: `-Mietvertrag` leaves out the whole document.

    Bounded like ranking: if more than rank_limit pages hold an excluded word, only the pages
    holding it are left out (the index query's own NOT)."""
    rows = catalog.fulltext.match(conn, ParsedQuery(parsed.excluded), filters.groups, catalog.rank_limit + 1,
                                  scored=False)
    if len(rows) > catalog.rank_limit:
        return set()
    return {located[0] for located in _page_documents(conn, catalog.is_sqlite, [r[0] for r in rows]).values()}


def _id_list(is_sqlite: bool, ids: list[int]) -> tuple[str, dict]:
    """An SQL condition "column in ids" that stays one parameter however many ids there are."""
    if is_sqlite:
        return "IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(ids)}
    return "= ANY(CAST(:ids AS integer[]))", {"ids": id_array(ids)}


def _page_documents(conn, is_sqlite: bool, page_ids: list[int]) -> dict[int, tuple]:
    """page id → (document id, doc_type, case_number, review, received, the case's team)."""
    if not page_ids:
        return {}
    condition, params = _id_list(is_sqlite, sorted(set(page_ids)))
    rows = fetch_rows(conn, "SELECT p.id, p.document_id, d.doc_type, d.case_number, d.review, d.created_at, c.team "
                            "FROM pages p JOIN documents d ON d.id = p.document_id "
                            f"LEFT JOIN cases c ON c.case_number = d.case_number WHERE p.id {condition}", params)
    return {int(r[0]): r[1:] for r in rows}


def _hits(conn, is_sqlite: bool, shown: list[tuple[str, float, int]], parsed: ParsedQuery,
          query: SearchQuery) -> list[SearchHit]:
    if not shown:
        return []
    condition, params = _id_list(is_sqlite, [page_id for _, _, page_id in shown])
    rows = {r[0]: r for r in conn.execute(text(
        "SELECT p.id, p.number, p.text, d.source, d.doc_type, d.case_number, d.title, d.review, d.created_at "
        f"FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id {condition}"), params)}
    words = [w for t in parsed.required for w in ((t.items if isinstance(t, AnyOf) else (t,)))
             for w in ([w] if isinstance(w, Word) else [Word(k, compound=False) for k in w.keys])]
    hits = []
    for doc_id, score, page_id in shown:
        row = rows.get(page_id)
        if row is None:
            continue
        snippet = make_snippet(unpack(row.text), words, query.snippet_width)
        received = _as_datetime(row.created_at)
        hits.append(SearchHit(doc_id, round(score, 4), snippet.text, int(row.number), row.doc_type, row.case_number,
                              row.source, row.title or "", bool(row.review), office_day(received).isoformat(), snippet.html))
    return hits
