"""Who may do what (policy) and what the record of who did what says (audit), accounts, sessions,
teams and directory login: decisions only; their rows are kept by `index/access_store.py` and
`index/access_log.py`."""
