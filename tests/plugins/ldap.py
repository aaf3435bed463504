"""A real OpenLDAP server (Debian's slapd) on a free loopback port, with a generated configuration
and a small office directory: people, role groups and team groups."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugins.web import free_port

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SCHEMA = Path("/etc/ldap/schema")
BASE = "dc=abh,dc=test"
ADMIN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "slapd-admin-test"

CONFIG = """\
include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/inetorgperson.schema
include {schema}/nis.schema
pidfile {folder}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{admin}"
rootpw {password}
directory {folder}/db
access to attrs=userPassword by self read by anonymous auth by * none
access to * by * read
"""


@dataclass
class Directory:
    url: str
    base: str

    def add_person(self, uid: str, password: str, name: str) -> str:
        dn = f"uid={uid},ou=people,{self.base}"
        surname = name.split()[-1]
        _add(self.url, dn, ["inetOrgPerson"], {"cn": name, "sn": surname, "uid": uid, "displayName": name,
                                                "userPassword": password})
        return dn

    def add_group(self, cn: str, members: list[str]) -> None:
        _add(self.url, f"cn={cn},ou=groups,{self.base}", ["groupOfNames"], {"cn": cn, "member": members})


def _add(url: str, dn: str, classes: list[str], attributes: dict) -> None:
    import ldap3

    with ldap3.Connection(ldap3.Server(url), ADMIN, ADMIN_PASSWORD, auto_bind=True) as conn:
        if not conn.add(dn, classes, attributes):
            raise RuntimeError(f"ldap add {dn}: {conn.result}")


@pytest.fixture
def ldap_directory(tmp_path):
    """slapd with ou=people and ou=groups under dc=abh,dc=test; stopped after the test."""
    if not Path(SLAPD).exists() or not (SCHEMA / "core.schema").exists():
        pytest.fail("slapd is not installed (scripts/install.sh installs it)")
    folder = tmp_path / "slapd"
    (folder / "db").mkdir(parents=True)
    config = folder / "slapd.conf"
    config.write_text(CONFIG.format(schema=SCHEMA, folder=folder, base=BASE, admin=ADMIN, password=ADMIN_PASSWORD))
    port = free_port()
    url = f"ldap://127.0.0.1:{port}"
    log = open(folder / "slapd.log", "wb")
    process = subprocess.Popen([SLAPD, "-f", str(config), "-h", url + "/", "-d", "0"], stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        import ldap3

        deadline = time.monotonic() + 20
        while True:
            try:
                ldap3.Connection(ldap3.Server(url, connect_timeout=1), ADMIN, ADMIN_PASSWORD, auto_bind=True).unbind()
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("slapd did not start: " + (folder / "slapd.log").read_text(errors="replace"))
                time.sleep(0.2)
        _add(url, BASE, ["dcObject", "organization"], {"dc": "abh", "o": "Ausländerbehörde Test"})
        for unit in ("people", "groups"):
            _add(url, f"ou={unit},{BASE}", ["organizationalUnit"], {"ou": unit})
        yield Directory(url, BASE)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
