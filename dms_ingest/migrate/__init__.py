"""Bulk migration of the legacy paper archive: work items in the index, local or Celery workers,
a completeness proof per paper file, and the nightly batch.

    manifest  SOURCE (folder tree or CSV) → one work item per paper file, kept in the index
    assemble  a folder of page images → one lossless, byte-reproducible PDF container
    work      one work item: lock, claim, ingest (or finish a crashed attempt), prove, record
    driver    `dms migrate`: N local worker processes or Celery tasks, progress, resume
    report    CSV per paper file plus a summary (JSON and text)
    tasks     the Celery app (`dms worker`) and its one task
    nightly   retry failed items, retrain the classifier, fixity sample, report
"""
