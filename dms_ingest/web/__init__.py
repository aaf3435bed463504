"""The web application: REST API (api.py), authentication (auth.py), pages (pages*.py)."""
