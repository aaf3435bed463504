"""Login against the office's directory (LDAP, through ldap3): find the person, bind as them with
their password, read their groups, and map groups to a role and teams (config `access.ldap`)."""

from __future__ import annotations

from dataclasses import dataclass

import ldap3
from ldap3.core.exceptions import LDAPBindError, LDAPException, LDAPInvalidCredentialsResult
from ldap3.utils.conv import escape_filter_chars

from ..config import LdapConfig


class DirectoryUnavailable(Exception):
    """The directory could not be asked (down, misconfigured); the message is one line."""


@dataclass(frozen=True)
class DirectoryUser:
    login: str
    dn: str
    display_name: str
    role: str | None          # None: in no group that grants access to the DMS
    teams: tuple[str, ...]
    groups: tuple[str, ...]


def _server(cfg: LdapConfig) -> ldap3.Server:
    return ldap3.Server(cfg.url, connect_timeout=cfg.timeout, get_info=ldap3.NONE)


def _connection(cfg: LdapConfig, user: str | None, password: str | None) -> ldap3.Connection:
    conn = ldap3.Connection(_server(cfg), user=user, password=password, receive_timeout=max(1, int(cfg.timeout)),
                            raise_exceptions=True, auto_bind=ldap3.AUTO_BIND_NONE)
    conn.open()
    if cfg.start_tls:
        conn.start_tls()
    conn.bind()
    return conn


def map_groups(cfg: LdapConfig, groups: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """Role (first configured group that matches) and teams for a person's group names."""
    names = {g.lower() for g in groups}
    role = next((rg.role for rg in cfg.role_groups if rg.group.lower() in names), None)
    teams = tuple(sorted({team for group, team in cfg.team_groups.items() if group.lower() in names}))
    return role, teams


def authenticate(cfg: LdapConfig, login: str, password: str) -> DirectoryUser | None:
    """The directory's answer for *login*/*password*: None when unknown or wrong (never says which)."""
    if not password:
        return None  # an empty password would be an anonymous bind, which "succeeds"
    try:
        service = _connection(cfg, cfg.bind_dn or None, cfg.bind_password or None)
        try:
            service.search(cfg.user_base, cfg.user_filter.replace("{login}", escape_filter_chars(login)),
                           search_scope=ldap3.SUBTREE, attributes=["cn", "displayName"], size_limit=2)
            entries = list(service.entries)
        finally:
            service.unbind()
    except LDAPException as exc:
        raise DirectoryUnavailable(f"directory {cfg.url} not reachable: {type(exc).__name__}") from None
    if len(entries) != 1:
        return None
    entry = entries[0]
    dn = entry.entry_dn
    try:
        person = _connection(cfg, dn, password)
    except (LDAPBindError, LDAPInvalidCredentialsResult):
        return None
    except LDAPException as exc:
        raise DirectoryUnavailable(f"directory {cfg.url} not reachable: {type(exc).__name__}") from None
    try:
        group_filter = (cfg.group_filter.replace("{dn}", escape_filter_chars(dn))
                        .replace("{login}", escape_filter_chars(login)))
        person.search(cfg.group_base, group_filter, search_scope=ldap3.SUBTREE, attributes=["cn"])
        groups = [str(value) for e in person.entries for value in e.cn.values]
    except LDAPException as exc:
        raise DirectoryUnavailable(f"directory {cfg.url}: group search failed: {type(exc).__name__}") from None
    finally:
        person.unbind()
    role, teams = map_groups(cfg, groups)
    display = entry.displayName.value if "displayName" in entry and entry.displayName.value else (
        entry.cn.value if "cn" in entry else login)
    return DirectoryUser(login, dn, str(display or login), role, teams, tuple(sorted(groups)))
