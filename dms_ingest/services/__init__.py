"""The service layer: one function per operation a person or a program triggers.

Every front end (CLI, web pages, REST API) and runner calls these, never the layers below. Each
function takes the acting user first (`Actor`), asks `access.policy` whether the user may act,
writes the access-log entry (`access.audit`) and then calls down into the pipeline, the index and
the object store. Errors are `errors.ServiceError` kinds the front end maps to its own answer.

    documents  ingest, upload, search, show, get, hold, delete
    review     review list, review assign, train
    cases      cases import
    fixity     verify
    runners    watch, mail fetch, migrate, worker, nightly, reindex (start and stop logged)
    runtime    what the operations work on (settings, catalog, store), opened once per process
"""
