"""The nightly batch: retry failed work items, retrain the classifier, check a fixity sample, report.

Each step is independent: one failing does not stop the others; the report says what happened.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path

from . import manifest
from .models import DONE, FAILED, RUNNING

log = logging.getLogger(__name__)

# Where a retraining entry point (from reviewed documents) may live, first found wins: the classifier
# is developed separately, so the nightly batch looks it up instead of importing a fixed name.
RETRAIN_ENTRY_POINTS = (
    ("dms_ingest.ingest.classify", "retrain_from_reviews"),
    ("dms_ingest.classifiers.doctype", "retrain_from_reviews"),
    ("dms_ingest.classifiers.doctype", "retrain_from_reviewed"),
    ("dms_ingest.classifiers.doctype", "retrain"),
)


def find_retraining_entry():
    """The classifier's retraining function, or None."""
    import importlib

    for module_name, name in RETRAIN_ENTRY_POINTS:
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:   # scikit-learn missing or the module broken: try the next
            log.warning("%s not importable: %s", module_name, exc)
            continue
        function = getattr(module, name, None)
        if callable(function):
            return function
    return None


def _reviewed_since_last_training(catalog) -> tuple[int, int | None]:
    """(documents reviewed now, documents reviewed at the last retraining or None)."""
    reviewed = len(catalog.reviewed_documents())
    last = catalog.last_event("classifier_retrained")
    before = json.loads(last.detail).get("reviewed") if last is not None else None
    return reviewed, before


def retrain_classifier(settings, catalog, *, force: bool = False) -> dict:
    """Call the classifier's retraining entry point with what it asks for (by parameter name)."""
    function = find_retraining_entry()
    if function is None:
        return {"status": "skipped", "reason": "skipped: no classifier training available"}
    try:
        reviewed, before = _reviewed_since_last_training(catalog)
    except Exception:
        reviewed, before = None, None
    if not force and reviewed is not None and (reviewed == 0 or reviewed == before):
        why = "no reviewed documents yet" if reviewed == 0 else "no documents reviewed since the last training"
        return {"status": "skipped", "reason": f"skipped: {why}", "reviewed": reviewed,
                "entry_point": f"{function.__module__}.{function.__name__}"}
    available = {"catalog": catalog, "settings": settings, "index": catalog}
    try:
        parameters = inspect.signature(function).parameters
        kwargs = {name: available[name] for name in parameters if name in available}
        missing = [n for n, p in parameters.items() if p.default is inspect.Parameter.empty
                   and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n not in kwargs]
        if missing:
            return {"status": "skipped", "reason": f"skipped: {function.__name__} needs {', '.join(missing)}",
                    "entry_point": function.__name__}
        started = time.monotonic()
        result = function(**kwargs)
        return {"status": "done", "entry_point": f"{function.__module__}.{function.__name__}",
                "seconds": round(time.monotonic() - started, 1), "result": _jsonable(result)}
    except Exception as exc:
        log.exception("classifier retraining failed")
        return {"status": "failed", "entry_point": getattr(function, "__name__", "?"),
                "error": f"{type(exc).__name__}: {exc}"[:300]}


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        if hasattr(value, "to_json"):
            return _jsonable(value.to_json())
        if hasattr(value, "__dict__"):
            return {k: _jsonable(v) for k, v in vars(value).items() if not k.startswith("_")}
        return repr(value)[:500]


def fixity_sample(store, catalog, sample: int) -> dict:
    from ..ingest.persist import expected_objects
    from ..storage.fixity import verify_objects

    started = time.monotonic()
    pending = {key for p in catalog.pending_writes() for key in json.loads(p.keys)}
    report = verify_objects(store, expected_objects(catalog), sample=sample, known_keys=pending)
    result = report.to_json()
    result.update(sample=sample, seconds=round(time.monotonic() - started, 1), pending_writes=len(pending))
    return result


def applications_ready(settings, catalog, *, today=None) -> dict:
    """`dms cases ready` as part of the report (read as the system, under the access log)."""
    from ..services.actor import Actor
    from ..services.applications import ready_cases
    from ..services.runtime import Runtime

    try:
        ready = ready_cases(Actor.system("nightly"), Runtime(settings, catalog=catalog), today=today)
        return {"status": "done", "count": len(ready), "ready": ready}
    except Exception as exc:
        log.exception("listing complete applications failed")
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:300]}


def access_log_check(settings, catalog) -> dict:
    """Prune the access log to its retention period, verify the hash chain against its anchors and,
    when the anchor key is set, anchor the new head outside the database."""
    from ..access.anchor import key_from_env
    from ..errors import ServiceError
    from ..services import audit_log
    from ..services.actor import Actor
    from ..services.runtime import Runtime

    runtime, actor = Runtime(settings, catalog=catalog), Actor.system("nightly")
    try:
        pruned = audit_log.prune(actor, runtime)
        result = {**audit_log.verify(actor, runtime).to_json(), "pruned": pruned}
        if result["ok"] and result["last_seq"] is not None and key_from_env() is not None:
            result["anchored"] = audit_log.anchor_head(actor, runtime)
        return result
    except (ServiceError, Exception) as exc:
        log.exception("access-log check failed")
        return {"ok": False, "problems": [f"{type(exc).__name__}: {exc}"[:300]]}


def search_index_compaction(catalog) -> dict:
    """PostgreSQL's GIN index rebuilt once it has grown by a tenth since its last build (index/compaction.py)."""
    try:
        return catalog.compact_search_index()
    except Exception as exc:
        log.exception("search index compaction failed")
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:300]}


def run_nightly(settings, catalog=None, *, sample: int, workers: int, retry: bool = True, train: bool = True,
                force_train: bool = False, view_factory=None) -> dict:
    """The whole batch on *catalog* (default: the index of *settings*); returns the report (also the
    content of the JSON file)."""
    from ..storage import StoreError, open_store
    from .driver import end_run, migration_catalog, open_catalog, run_local, start_run

    started = datetime.now(timezone.utc)
    clock = time.monotonic()
    catalog = migration_catalog(catalog) if catalog is not None else open_catalog(settings)
    result: dict = {"started_at": started.isoformat(timespec="seconds")}

    # 1. failed work items: orphans of dead workers back to pending, failed items retried
    retried: dict = {"items": [], "recovered": []}
    if retry:
        try:
            retried["recovered"] = manifest.recover_orphans(catalog, max_attempts=settings.migration.max_attempts)
            ids = manifest.retry_failed(catalog)
            run = start_run(catalog, "(nightly)", "nightly", workers)
            adopted = manifest.adopt(catalog, run.id, ids=ids) if ids else []
            outcome = "nothing to retry"
            if adopted:
                view = view_factory(catalog, run) if view_factory else None
                outcome = run_local(settings, catalog, run, workers=workers, view=view).state
            end_run(catalog, run, "interrupted" if outcome == "interrupted" else "finished", items=len(adopted))
            after = {i.id: i for i in manifest.items(catalog, ids=adopted)} if adopted else {}
            retried["run_id"], retried["outcome"] = run.id, outcome
            retried["items"] = [{"id": i, "path": after[i].path, "state": after[i].state,
                                 "reason_code": after[i].reason_code, "error": after[i].last_error}
                                for i in adopted if i in after]
        except Exception as exc:
            log.exception("retrying failed items failed")
            retried["error"] = f"{type(exc).__name__}: {exc}"[:300]
    retried["done"] = sum(1 for i in retried["items"] if i["state"] == DONE)
    retried["still_failed"] = sum(1 for i in retried["items"] if i["state"] == FAILED)
    permanent = manifest.items(catalog, states=(FAILED,))
    retried["needs_a_person"] = [{"id": i.id, "path": i.path, "reason_code": i.reason_code, "error": i.last_error}
                                 for i in permanent][:500]
    retried["running"] = len(manifest.items(catalog, states=(RUNNING,)))
    result["retry"] = retried

    # 2. classifier retraining from reviewed documents
    result["classifier"] = (retrain_classifier(settings, catalog, force=force_train) if train
                            else {"status": "skipped", "reason": "skipped: --no-train"})

    # 3. fixity sample
    try:
        result["fixity"] = fixity_sample(open_store(settings), catalog, sample)
    except StoreError as exc:
        result["fixity"] = {"passed": False, "errors": [f"object store unavailable: {exc}"], "sample": sample}
    except Exception as exc:
        log.exception("fixity sample failed")
        result["fixity"] = {"passed": False, "errors": [f"{type(exc).__name__}: {exc}"[:300]], "sample": sample}

    # 4. applications whose required documents are now all on file: cases to offer an appointment
    result["applications"] = applications_ready(settings, catalog)

    # 5. the access log: retention, then the chain verified; its head goes into this report, which
    #    pins the chain outside the database (a cut-off tail shows against the last report)
    result["access_log"] = access_log_check(settings, catalog)

    # 6. the search index's GIN rebuilt if inserts have left it much larger than a fresh build
    result["search_index"] = search_index_compaction(catalog)

    result["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    result["seconds"] = round(time.monotonic() - clock, 1)
    result["passed"] = bool(result["fixity"].get("passed")) and not retried.get("error") \
        and result["classifier"]["status"] != "failed" and result["access_log"].get("ok", False) \
        and result["search_index"]["status"] != "failed"
    return result


def text(report: dict) -> str:
    r, c, f = report["retry"], report["classifier"], report["fixity"]
    lines = [f"dms nightly {report['started_at']} ({report['seconds']} s): "
             + ("OK" if report["passed"] else "ATTENTION NEEDED")]
    if r.get("error"):
        lines.append(f"retry of failed items: ERROR {r['error']}")
    else:
        lines.append(f"retry of failed items: {len(r['items'])} retried, {r['done']} now done, "
                     f"{r['still_failed']} still failed; {len(r['recovered'])} left running by dead workers recovered")
    for item in r["items"]:
        if item["state"] != DONE:
            lines.append(f"  {item['path']}: {item['state']} [{item['reason_code']}] {item['error']}")
    if r["needs_a_person"]:
        lines.append(f"failed items needing a person: {len(r['needs_a_person'])}")
        for item in r["needs_a_person"][:30]:
            lines.append(f"  {item['path']}: [{item['reason_code']}] {item['error']}")
    detail = c.get("reason") or c.get("error") or f"{c.get('entry_point')} in {c.get('seconds')} s"
    lines.append(f"classifier retraining: {c['status']} ({detail})")
    if "checked" in f:
        lines.append(f"fixity sample of {f['sample']} documents: {f['checked']} objects checked, {f['ok']} ok, "
                     f"{len(f['missing'])} missing, {len(f['mismatched'])} mismatched, {len(f['errors'])} errors"
                     f" -> {'passed' if f['passed'] else 'FAILED'}")
        for item in f["missing"] + f["mismatched"]:
            lines.append(f"  {item['id']} {item['role']} {item['key']}")
    else:
        lines.append(f"fixity sample: FAILED {'; '.join(f.get('errors', []))}")
    a = report.get("applications") or {}
    if a.get("status") == "done":
        lines.append(f"applications complete (appointment possible): {a['count']}")
        for app in a["ready"][:200]:
            lines.append(f"  {app['case_number']} {app['applicant']}: {app['title']} ({app['legal_basis']})")
    elif a:
        lines.append(f"applications complete: FAILED {a.get('error')}")
    log_check = report.get("access_log") or {}
    if log_check.get("ok"):
        lines.append(f"access log: {log_check['entries']} entries intact (#{log_check['first_seq']}-"
                     f"#{log_check['last_seq']}, head {log_check['head_hash']}), {log_check['pruned']} pruned")
        if log_check.get("anchored"):
            lines.append(f"access log anchored: entry #{log_check['anchored']['seq']} in {log_check['anchored']['path']}")
    elif log_check:
        lines.append("access log: FAILED " + "; ".join(log_check.get("problems", [])[:5]))
    compaction = report.get("search_index") or {}
    if compaction.get("status") == "done":
        lines.append(f"search index compacted: {compaction['pages']} pages, GIN {compaction['bytes_before']:,} -> "
                     f"{compaction['bytes_after']:,} bytes in {compaction['seconds']} s")
    elif compaction:
        lines.append(f"search index compaction: {compaction['status']} "
                     f"({compaction.get('reason') or compaction.get('error')})")
    return "\n".join(lines) + "\n"


def write(report: dict, path: Path) -> dict:
    """PATH.json and PATH.txt (PATH without suffix, or with .json)."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix.lower() in (".json", ".txt") else path
    stem.parent.mkdir(parents=True, exist_ok=True)
    json_path, text_path = stem.with_name(stem.name + ".json"), stem.with_name(stem.name + ".txt")
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    text_path.write_text(text(report), encoding="utf-8")
    return {"json": str(json_path), "text": str(text_path)}
