"""Directory logins against a real slapd: groups become role and teams; wrong passwords, people
outside the DMS groups and filter tricks in the login name get nowhere."""

from __future__ import annotations

import httpx
import pytest

from dms_ingest.access import accounts, audit, sessions
from dms_ingest.access.sessions import LoginFailed
from dms_ingest.config import load_settings
from .plugins.web import dms_server, write_config


def ldap_settings(tmp_path, directory, home):
    config = write_config(tmp_path / "config.yaml", access={"ldap": {
        "enabled": True, "url": directory.url, "user_base": f"ou=people,{directory.base}",
        "group_base": f"ou=groups,{directory.base}",
        "role_groups": [{"group": "dms-teamleitung", "role": "teamleitung"},
                        {"group": "dms-sachbearbeitung", "role": "sachbearbeitung"},
                        {"group": "dms-poststelle", "role": "poststelle"},
                        {"group": "dms-datenschutz", "role": "datenschutz"}],
        "team_groups": {"abh-team-1": "team-a-f", "abh-team-2": "team-g-z"}}})
    return config, load_settings(config, home=home)


@pytest.fixture
def office(ldap_directory):
    d = ldap_directory
    kaya = d.add_person("kaya", "Kaya-pass-2024", "Deniz Kaya")
    lenz = d.add_person("lenz", "Lenz-pass-2024", "Petra Lenz")
    post = d.add_person("post1", "Post-pass-2024", "Uwe Post")
    d.add_person("guest", "Guest-pass-2024", "Gerd Gast")       # in the directory, in no DMS group
    d.add_group("dms-sachbearbeitung", [kaya, lenz])
    d.add_group("dms-teamleitung", [lenz])
    d.add_group("dms-poststelle", [post])
    d.add_group("abh-team-1", [kaya, lenz])
    d.add_group("abh-team-2", [lenz])
    d.add_group("kantine", [kaya])
    return d


def test_directory_groups_map_to_role_and_teams(tmp_path, office):
    _, settings = ldap_settings(tmp_path, office, tmp_path / "home")
    engine = _engine(settings)
    kaya = sessions.authenticate(engine, settings, "kaya", "Kaya-pass-2024", "127.0.0.1")
    assert (kaya.role, kaya.teams) == ("sachbearbeitung", frozenset({"team-a-f"}))
    lenz = sessions.authenticate(engine, settings, "Lenz", "Lenz-pass-2024", "127.0.0.1")
    assert (lenz.login, lenz.role, lenz.teams) == ("lenz", "teamleitung", frozenset({"team-a-f", "team-g-z"}))
    post = sessions.authenticate(engine, settings, "post1", "Post-pass-2024", "127.0.0.1")
    assert (post.role, post.teams) == ("poststelle", frozenset())
    row = accounts.get_user(engine, "kaya")
    assert (row.source, row.password_hash, row.display_name) == ("ldap", None, "Deniz Kaya")


@pytest.mark.parametrize("login,password", [
    ("kaya", "Falsch-9x!"), ("kaya", ""), ("nobody", "Kaya-pass-2024"), ("guest", "Guest-pass-2024"),
    ("*", "Kaya-pass-2024"), ("kaya)(uid=*", "Kaya-pass-2024")])
def test_wrong_password_unknown_person_or_no_dms_group_is_refused(tmp_path, office, login, password):
    _, settings = ldap_settings(tmp_path, office, tmp_path / "home")
    engine = _engine(settings)
    with pytest.raises(LoginFailed, match="Login or password is wrong"):
        sessions.authenticate(engine, settings, login, password, "127.0.0.1")
    denied = [e for e in audit.query(engine) if e.action == "login"]
    assert [e.outcome for e in denied] == ["denied"]
    assert password not in denied[0].detail or not password


def test_group_changes_in_the_directory_apply_at_the_next_login(tmp_path, office):
    import ldap3

    from .plugins.ldap import ADMIN, ADMIN_PASSWORD

    _, settings = ldap_settings(tmp_path, office, tmp_path / "home")
    engine = _engine(settings)
    assert sessions.authenticate(engine, settings, "kaya", "Kaya-pass-2024", "x").teams == {"team-a-f"}
    with ldap3.Connection(ldap3.Server(office.url), ADMIN, ADMIN_PASSWORD, auto_bind=True) as conn:
        kaya = f"uid=kaya,ou=people,{office.base}"
        conn.modify(f"cn=abh-team-1,ou=groups,{office.base}", {"member": [(ldap3.MODIFY_DELETE, [kaya])]})
        conn.modify(f"cn=abh-team-2,ou=groups,{office.base}", {"member": [(ldap3.MODIFY_ADD, [kaya])]})
    assert sessions.authenticate(engine, settings, "kaya", "Kaya-pass-2024", "x").teams == {"team-g-z"}


def test_ldap_login_over_http(tmp_path, office):
    home = tmp_path / "home"
    config, settings = ldap_settings(tmp_path, office, home)
    _engine(settings)
    with dms_server(home, config) as base, httpx.Client(base_url=base) as client:
        assert client.post("/api/login", json={"login": "kaya", "password": "nope"}).status_code == 401
        answer = client.post("/api/login", json={"login": "kaya", "password": "Kaya-pass-2024"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["role"] == "sachbearbeitung" and answer.json()["teams"] == ["team-a-f"]
        me = client.get("/api/me").json()
        assert me["login"] == "kaya"


def test_directory_down_is_a_clear_refusal_not_a_crash(tmp_path):
    config = write_config(tmp_path / "config.yaml", access={"ldap": {
        "enabled": True, "url": "ldap://127.0.0.1:1", "user_base": "ou=people,dc=abh,dc=test", "timeout": 2}})
    settings = load_settings(config, home=tmp_path / "home")
    engine = _engine(settings)
    with pytest.raises(LoginFailed, match="directory cannot be reached"):
        sessions.authenticate(engine, settings, "kaya", "Kaya-pass-2024", "127.0.0.1")


def _engine(settings):
    from dms_ingest.services.runtime import Runtime

    engine = Runtime(settings).catalog.engine
    audit.ensure_tables(engine)
    return engine


@pytest.mark.parametrize("team", ["", " leading-space", "a/b"])
def test_a_group_mapped_to_an_unusable_team_name_is_refused_at_start_up(tmp_path, team):
    from dms_ingest.config import ConfigError
    config = write_config(tmp_path / "config.yaml", access={"ldap": {
        "enabled": True, "team_groups": {"abh-team-1": team}}})
    with pytest.raises(ConfigError, match="team_groups"):
        load_settings(config, home=tmp_path / "home")
