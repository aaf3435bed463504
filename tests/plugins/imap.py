"""A throwaway Dovecot IMAP server on 127.0.0.1 for tests: its own config, users, maildirs and sockets.

Nothing of the system's Dovecot configuration is used (``dovecot -c CONF``). The server runs as
root (as Dovecot's master must) with the mail processes as ``nobody``; plaintext login is allowed
(loopback only, no TLS), one user from a passwd-file, maildirs under a temp folder.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import grp
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ImapServer:
    user = "sachbearbeitung"
    password = "test-only-password"

    def __init__(self) -> None:
        if DOVECOT is None:
            raise RuntimeError("dovecot is not installed")
        self.root = Path(tempfile.mkdtemp(prefix="dms-imap-"))
        os.chmod(self.root, 0o755)   # login and mail processes run as other users
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.config = self.root / "dovecot.conf"

    def _write_config(self) -> None:
        mail_user = pwd.getpwnam("nobody")
        mail_group = grp.getgrgid(mail_user.pw_gid).gr_name
        home = self.root / "mail" / self.user
        home.mkdir(parents=True)
        for folder in (self.root / "mail", home):
            os.chown(folder, mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "passwd").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{mail_user.pw_uid}:{mail_user.pw_gid}::{home}::\n")
        internal = "dovecot" if _user_exists("dovecot") else "nobody"
        login = "dovenull" if _user_exists("dovenull") else "nobody"
        self.config.write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal if _group_exists(internal) else mail_group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_uid = {mail_user.pw_uid}
mail_gid = {mail_user.pw_gid}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
""")

    def start(self) -> "ImapServer":
        self._write_config()
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dovecot did not start: " + self.log())
            try:
                conn = self.connect()
                conn.logout()
                return self
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("dovecot did not answer: " + self.log())

    def log(self) -> str:
        parts = []
        if self.proc is not None and self.proc.poll() is not None and self.proc.stdout:
            parts.append(self.proc.stdout.read().decode("utf-8", "replace"))
        logfile = self.root / "dovecot.log"
        if logfile.exists():
            parts.append(logfile.read_text(errors="replace"))
        return "\n".join(parts)[-3000:]

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def append(self, message: bytes, folder: str = "INBOX") -> None:
        conn = self.connect()
        try:
            typ, data = conn.append(folder, None, None, message)
            assert typ == "OK", data
        finally:
            conn.logout()

    def messages(self, folder: str) -> list[bytes]:
        """The raw messages in a folder ([] if it does not exist)."""
        conn = self.connect()
        try:
            from dms_ingest.ingest.imap import imap_utf7

            typ, _ = conn.select(f'"{imap_utf7(folder)}"', readonly=True)
            if typ != "OK":
                return []
            typ, data = conn.uid("SEARCH", None, "ALL")
            out = []
            for uid in (data[0] or b"").split():
                typ, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
                out.append(next(item[1] for item in fetched if isinstance(item, tuple)))
            return out
        finally:
            conn.logout()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def imap_server():
    """A running Dovecot for the test module; skips when Dovecot is not installed."""
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (Debian: dovecot-imapd)")
    server = ImapServer().start()
    yield server
    server.stop()
