"""Pages for finding and settling: Suche (filters, facets, paging) and the Prüfliste (review queue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request

from .. import office_time
from ..errors import Forbidden, Invalid
from ..services import documents, review, review_item
from ..services.reasons_view import outside_count
from . import labels
from .api import OptionalDay
from .highlight import bracket_segments, marked_segments, query_terms
from ..index.query import parse
from .pages import PageActor, message, page_url, query_string, redirect, render, router, runtime

PAGE_SIZE = 20
# The review-state filter: in the review queue (type or case in doubt) or settled.
REVIEW_STATES = {"offen": ("nur in Prüfung", True), "ohne": ("ohne offene Prüfung", False)}


@router.get("/suche", name="search")
def search_page(request: Request, actor: PageActor,
                q: Annotated[str, Query(max_length=300)] = "",
                type: Annotated[str, Query(max_length=40)] = "",  # noqa: A002 - the form's field name
                case: Annotated[str, Query(max_length=64)] = "",
                from_: Annotated[OptionalDay, Query(alias="from")] = None,
                to: Annotated[OptionalDay, Query()] = None,
                pruefung: Annotated[str, Query(pattern="^(|offen|ohne)$")] = "",
                offset: Annotated[int, Query(ge=0, le=10_000)] = 0):
    form = {"q": q, "type": type, "case": case.strip().upper(), "date_from": from_.isoformat() if from_ else "",
            "date_to": to.isoformat() if to else "", "review": pruefung}
    doc_types = [(code, labels.doc_type(code)) for code in runtime(request).settings.classification.doc_types]
    review_states = [(code, label) for code, (label, _) in REVIEW_STATES.items()]
    filtered = bool(form["case"] or type or from_ or to or pruefung)
    # Quotation marks, *, ~ or - alone name no word: the index would list every document (as for
    # filters alone), which reads as if everything matched.
    parsed = parse(q)
    wordless = bool(q.strip()) and not (parsed.required or parsed.excluded)
    messages = [message("warn", f"In „{q.strip()}“ steht kein Wort, nach dem gesucht werden kann"
                                + ("; gezeigt wird, was die Filter allein finden." if filtered else "."))] \
        if wordless else []
    if not (filtered or (q.strip() and not wordless)):
        return render(request, "search.html", "Suche", form=form, doc_types=doc_types, review_states=review_states,
                      searched=False, messages=messages)
    if from_ and to and from_ > to:
        raise Invalid("Das Datum „Eingang ab“ liegt nach „Eingang bis“.")
    start, end = office_time.office_day_bounds(from_, to)
    result = documents.search_page(actor, runtime(request), q, case_number=form["case"] or None,
                                   doc_type=type or None, received_from=start, received_to=end,
                                   review=REVIEW_STATES[pruefung][1] if pruefung else None,
                                   limit=PAGE_SIZE, offset=offset)
    total = int(result.get("total", 0))
    # Past the ranked candidates the index only guesses: "mehr als N", and about how many in all.
    more = not result.get("total_exact", True)
    estimate = int(result.get("total_estimate") or total) if more else total
    terms = query_terms(q)
    hits = []
    for hit in result.get("hits", []):
        snippet = hit.get("snippet") or ""
        segments = bracket_segments(snippet) if "[" in snippet else marked_segments(snippet, terms)
        hits.append({"href": page_url("document", doc_id=hit["id"])
                     + query_string(q=q) + f"#seite-{hit.get('page') or 1}",
                     "doc_type_label": labels.doc_type(hit.get("doc_type")), "case_number": hit.get("case_number"),
                     "name": labels.source_name(hit.get("source")), "review": bool(hit.get("review")),
                     "page": hit.get("page") or 1, "received": labels.day(hit.get("received") or ""),
                     "segments": segments})
    base = dict(q=q, type=type, case=form["case"], pruefung=pruefung,
                **{"from": form["date_from"], "to": form["date_to"]})
    path = page_url("search")
    facets = []
    for code, count in sorted(_facet_counts(result).items(), key=lambda kv: (-kv[1], kv[0])):
        active = code == type
        facets.append({"label": labels.doc_type(code), "count": count, "active": active,
                       "href": path + query_string(**{**base, "type": "" if active else code})})
    # Past the end (the hits changed since the link was made): back to the last page that has hits.
    past_end = not hits and offset > 0 and total > 0
    previous = ((total - 1) // PAGE_SIZE) * PAGE_SIZE if past_end else max(0, offset - PAGE_SIZE)
    prev_href = path + query_string(**base, offset=previous) if offset > 0 else ""
    next_href = path + query_string(**base, offset=offset + PAGE_SIZE) if offset + PAGE_SIZE < total else ""
    return render(request, "search.html", f"Suche: {q}" if q else "Suche", form=form, doc_types=doc_types,
                  review_states=review_states, searched=True, total=total, more=more, estimate=estimate, hits=hits, facets=facets, first=offset + 1 if hits else 0,
                  last=offset + len(hits), prev_href=prev_href, next_href=next_href, past_end=past_end,
                  messages=messages)


def _facet_counts(result: dict) -> dict[str, int]:
    facets = result.get("facets") or {}
    counts = facets.get("doc_type", facets) if isinstance(facets, dict) else {}
    if isinstance(counts, list):
        counts = {f.get("value") or f.get("doc_type"): f.get("count", 0) for f in counts}
    return {str(k or "sonstiges"): int(v) for k, v in counts.items() if isinstance(v, int)}


# --- Prüfliste --------------------------------------------------------------------------------

@router.get("/pruefliste", name="review")
def review_page(request: Request, actor: PageActor, erledigt: str = "", zurueck: str = ""):
    queue = review.review_list(actor, runtime(request))
    if queue:
        url = page_url("review_item", doc_id=queue[0]["id"])
        return redirect(url + (query_string(erledigt=erledigt, zurueck=zurueck)))
    messages = [message("ok", f"Zugeordnet: {erledigt}.")] if erledigt else []
    if zurueck:
        messages.append(message("ok", "An die Poststelle zurückgegeben."))
    return render(request, "review.html", "Prüfliste", item=None, total=0, queue=[], messages=messages)


@router.get("/pruefliste/{doc_id}", name="review_item")
def review_item_page(request: Request, actor: PageActor, doc_id: str, erledigt: str = "", zurueck: str = ""):
    messages = [message("ok", f"Zugeordnet: {erledigt}. Weiter mit dem nächsten Dokument.")] if erledigt else []
    if zurueck:
        messages.append(message("ok", "An die Poststelle zurückgegeben. Weiter mit dem nächsten Dokument."))
    return _review_item(request, actor, doc_id, messages)


def _review_item(request: Request, actor, doc_id: str, messages: list, typed_case: str | None = None,
                 status: int = 200, typed_note: str = ""):
    """The item page; after a refused decision with the reason on top and what was typed kept."""
    rt = runtime(request)
    queue = review.review_list(actor, rt)
    detail = review_item.review_item(actor, rt, doc_id)
    ids = [row["id"] for row in queue]
    position = ids.index(doc_id) + 1 if doc_id in ids else 0
    following = ids[position:] + ids[:max(position - 1, 0)]
    next_href = page_url("review_item", doc_id=following[0]) if following else ""
    item = {"id": detail["id"], "received": labels.when(detail["received"]),
            "source_label": f"{labels.source(detail['source'])}: {labels.source_name(detail['source'])}",
            "reasons": detail["reasons"] or ["Keine Begründung gespeichert."],
            "doc_type": detail["doc_type"], "doc_type_label": labels.doc_type(detail["doc_type"]),
            "confidence": round(100 * detail["doc_type_confidence"]) if detail["doc_type_confidence"] else None,
            "case_number": detail["case_number"] if typed_case is None else typed_case,
            "read_values": detail["read_values"],
            "candidates": [{**c, "date_of_birth": labels.day(c["date_of_birth"])} for c in detail["candidates"]],
            "candidates_outside": outside_count(detail["candidates_hidden"]),
            "page_numbers": list(range(1, detail["pages"] + 1))[:4], "text": detail["text"],
            "may_give_back": detail["may_give_back"], "note": typed_note}
    rows = [{"href": page_url("review_item", doc_id=row["id"]), "current": row["id"] == doc_id,
             "received": labels.when(row["created_at"]), "doc_type_label": labels.doc_type(row["doc_type"]),
             "source_label": labels.source_name(row["source"]), "reason": (row["reasons"] or [""])[0]}
            for row in queue]
    doc_types = [(code, labels.doc_type(code)) for code in rt.settings.classification.doc_types]
    return render(request, "review.html", "Prüfliste", item=item, total=len(queue), position=position or "–",
                  queue=rows, next_href=next_href if next_href != request.url.path else "", doc_types=doc_types,
                  messages=messages, status=status)


# A team lead's refusal reads the same for another team's case and an unknown number (no registry
# oracle); the mailroom, which files into every case, is told when a number is not in the registry.
OUTSIDE_TEAMS = ("Das Aktenzeichen „{case}“ gehört zu keiner Akte Ihrer Teams. In Akten anderer Teams ordnet "
                 "die Poststelle zu: Bitte prüfen Sie die Schreibweise oder geben Sie das Dokument an die "
                 "Poststelle zurück.")


@router.post("/pruefliste/{doc_id}", name="review_assign")
def review_assign(request: Request, actor: PageActor, doc_id: str,
                  case_number: Annotated[str, Form(max_length=64)] = "",
                  doc_type: Annotated[str, Form(max_length=40)] = ""):
    rt = runtime(request)
    case_number = case_number.strip()
    try:
        result = review.review_assign(actor, rt, doc_id, case=case_number or None, doc_type=doc_type or None)
    except Forbidden:
        # The item itself stays one's own (else showing it again refuses too): the target case was refused.
        return _review_item(request, actor, doc_id, [message("error", OUTSIDE_TEAMS.format(case=case_number))],
                            typed_case=case_number, status=403)
    except Invalid:
        # The form offers only known types, so what can be wrong is the case number typed (or none).
        problem = (f"Das Aktenzeichen „{case_number}“ steht nicht im Register. Bitte die Schreibweise prüfen "
                   "oder eine der möglichen Akten wählen." if case_number
                   else "Bitte ein Aktenzeichen eintragen oder eine der möglichen Akten wählen.")
        return _review_item(request, actor, doc_id, [message("error", problem)], typed_case=case_number, status=422)
    done = f"{labels.doc_type(result['doc_type'])} → {result['case_number'] or 'ohne Akte'}"
    return _next_item(actor, rt, erledigt=done)


@router.post("/pruefliste/{doc_id}/zurueckgeben", name="review_return")
def review_return(request: Request, actor: PageActor, doc_id: str,
                  note: Annotated[str, Form(max_length=review.NOTE_MAX)] = ""):
    """A team lead gives the item back to the mailroom, which forwards it (another team's case)."""
    rt = runtime(request)
    try:
        review.review_return(actor, rt, doc_id, note=note)
    except Invalid:
        problem = "Bitte kurz für die Poststelle notieren, warum das Dokument zurückgeht (z. B. welche Akte)."
        return _review_item(request, actor, doc_id, [message("error", problem)], status=422, typed_note=note)
    return _next_item(actor, rt, zurueck="1")


def _next_item(actor, rt, **done):
    """On to the next waiting item (or the empty queue), saying what was just done."""
    remaining = review.review_list(actor, rt)
    if remaining:
        return redirect(page_url("review_item", doc_id=remaining[0]["id"]) + query_string(**done))
    return redirect(page_url("review") + query_string(**done))
