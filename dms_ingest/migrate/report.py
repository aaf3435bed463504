"""The migration report: one CSV row per paper file, page images of folders, and a summary.

Written next to each other:  NAME.csv,  NAME.pages.csv (page image files of folder items, with
their SHA-256 and where the exact bytes are kept),  NAME.summary.json  and  NAME.summary.txt.
The report is built from the index alone, so it can be written again at any time.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

from . import manifest
from .models import DONE, FAILED, PENDING, RUNNING, MigrationRun, WorkItem, aware

COLUMNS = ["id", "path", "kind", "case_number", "filed_under", "state", "pages_in", "pages_archived", "blank_pages",
           "blank_dropped", "sheets", "complete", "documents", "document_ids", "review", "reason_code", "error",
           "note", "attempts", "worker", "started_at", "finished_at", "seconds", "cpu_seconds", "original_sha256"]


def equation_holds(item: WorkItem) -> bool:
    return (item.state == DONE and item.pages_in is not None
            and item.pages_in == item.pages_archived + item.blank_dropped + item.sheets)


def row(item: WorkItem) -> dict:
    ids = manifest.documents_of(item)
    filed = json.loads(item.case_numbers or "[]")
    covers = json.loads(item.cover_case_numbers or "[]")
    return {
        "id": item.id, "path": item.path, "kind": item.kind,
        "case_number": item.case_number or " ".join(covers), "filed_under": " ".join(filed), "state": item.state,
        "pages_in": "" if item.pages_in is None else item.pages_in, "pages_archived": item.pages_archived,
        "blank_pages": item.blank_pages, "blank_dropped": item.blank_dropped, "sheets": item.sheets,
        "complete": "yes" if equation_holds(item) else "no", "documents": len(ids), "document_ids": " ".join(ids),
        "review": item.review, "reason_code": item.reason_code or "", "error": item.last_error or "",
        "note": item.note or "", "attempts": item.attempts, "worker": item.worker or "",
        "started_at": _iso(item.started_at), "finished_at": _iso(item.finished_at), "seconds": item.seconds,
        "cpu_seconds": item.cpu_seconds, "original_sha256": item.original_sha256 or "",
    }


def _iso(value: datetime | None) -> str:
    return aware(value).isoformat(timespec="seconds") if value else ""


def summarise(work: list[WorkItem], *, source: str, run: MigrationRun | None = None,
              wall_seconds: float | None = None) -> dict:
    states = Counter(i.state for i in work)
    reasons = Counter(i.reason_code for i in work if i.state == FAILED)
    documents = sum(len(manifest.documents_of(i)) for i in work if i.state == DONE)
    done = [i for i in work if i.state == DONE]
    summary = {
        "source": source,
        "files": {"total": len(work), **{s: states.get(s, 0) for s in (DONE, FAILED, PENDING, RUNNING)}},
        "pages": {"in": sum(i.pages_in or 0 for i in work),
                  "in_done": sum(i.pages_in or 0 for i in done),
                  "archived": sum(i.pages_archived for i in done), "blank": sum(i.blank_pages for i in done),
                  "blank_dropped": sum(i.blank_dropped for i in done), "sheets": sum(i.sheets for i in done)},
        "documents": documents,
        "review": sum(i.review for i in done),
        "complete": bool(work) and all(equation_holds(i) for i in work),
        "equation_failures": [i.path for i in done if not equation_holds(i)],
        "rejected": [{"path": i.path, "reason_code": i.reason_code, "error": i.last_error} for i in work
                     if i.state == FAILED],
        "reasons": dict(reasons),
    }
    if run is not None:
        processed = [i for i in work if i.run_id == run.id and i.state in (DONE, FAILED) and i.worker]
        pages = sum(i.pages_in or 0 for i in processed)
        cpu = sum(i.cpu_seconds for i in processed)
        wall = wall_seconds if wall_seconds is not None else (
            ((aware(run.finished_at) or aware(run.started_at)) - aware(run.started_at)).total_seconds())
        summary["run"] = {
            "id": run.id, "mode": run.mode, "workers": run.workers or len({i.worker for i in processed}),
            "state": run.state,
            "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
            "files": len(processed), "pages": pages, "cpu_seconds": round(cpu, 1), "wall_seconds": round(wall, 1),
            "pages_per_minute": round(pages / wall * 60, 1) if wall > 0 else None,
            "pages_per_cpu_second": round(pages / cpu, 3) if cpu > 0 else None,
            "max_rss_mb": round(max((i.max_rss_kb for i in processed), default=0) / 1024, 1),
        }
    return summary


def text(summary: dict) -> str:
    f, p = summary["files"], summary["pages"]
    lines = [
        f"migration of {summary['source']}",
        f"paper files: {f['total']} - {f['done']} done, {f['failed']} failed, {f['pending']} pending, "
        f"{f['running']} running",
        f"pages: {p['in']} in; of the files done: {p['in_done']} in = {p['archived']} archived "
        f"+ {p['blank_dropped']} blank dropped + {p['sheets']} cover/separator sheets "
        f"({p['blank']} blank pages found)",
        f"documents: {summary['documents']}, {summary['review']} sent to review",
        "complete: " + ("YES - every paper file is archived and every page accounted for" if summary["complete"]
                        else "NO - see the failed files below and the CSV report"),
    ]
    if summary.get("run"):
        r = summary["run"]
        lines.append(f"this run ({r['mode']}, {r['workers']} worker process(es), {r['state']}): {r['files']} files, "
                     f"{r['pages']} pages in {r['wall_seconds']} s = {r['pages_per_minute']} pages/min, "
                     f"{r['pages_per_cpu_second']} pages per CPU-second, peak memory {r['max_rss_mb']} MB per worker")
    if summary["equation_failures"]:
        lines.append("page counts that do not add up: " + ", ".join(summary["equation_failures"][:20]))
    if summary["rejected"]:
        lines.append(f"failed ({len(summary['rejected'])}): "
                     + ", ".join(f"{k} {v}" for k, v in sorted(summary["reasons"].items())))
        for entry in summary["rejected"][:50]:
            lines.append(f"  {entry['path']}: [{entry['reason_code']}] {entry['error']}")
        if len(summary["rejected"]) > 50:
            lines.append(f"  … and {len(summary['rejected']) - 50} more (see the CSV)")
    if summary.get("report"):
        lines.append(f"report: {summary['report']}")
    return "\n".join(lines) + "\n"


def write(path: Path, work: list[WorkItem], summary: dict) -> dict:
    """Write the CSV, the page listing and the summary next to it; the paths written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
    csv_path = stem.with_name(stem.name + ".csv")
    pages_path = stem.with_name(stem.name + ".pages.csv")
    json_path = stem.with_name(stem.name + ".summary.json")
    text_path = stem.with_name(stem.name + ".summary.txt")
    summary = {**summary, "report": str(csv_path)}
    _atomic_csv(csv_path, COLUMNS, (row(i) for i in work))
    _atomic_csv(pages_path, ["path", "page", "image", "sha256", "bytes", "kept_as"],
                ({"path": i.path, "page": n, "image": e["name"], "sha256": e["sha256"], "bytes": e["bytes"],
                  "kept_as": e["kept"]}
                 for i in work for e in json.loads(i.inputs or "[]") for n in e["pages"]))
    _atomic_text(json_path, json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    _atomic_text(text_path, text(summary))
    return {"csv": str(csv_path), "pages": str(pages_path), "summary_json": str(json_path),
            "summary_text": str(text_path)}


def _atomic_csv(path: Path, columns: list[str], rows) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def _atomic_text(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
