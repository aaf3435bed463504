"""The test suite of dms-ingest (a package: helpers are imported as tests.NAME, servers come from tests/plugins)."""
