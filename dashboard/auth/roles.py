"""Roles: which pages each may open, how far its scope reaches, what it sees unmasked.

The scope itself is applied in one place, :func:`dashboard.data.query`, from the
predicates of :mod:`dashboard.auth.scope`; this module only names the roles.
"""

from __future__ import annotations

from dataclasses import dataclass

# How far a role sees: the whole company, one supply unit, one team, one person, or the
# data-quality tables only (admin).
COMPANY, UNIT, TEAM, PERSON, SYSTEM = "company", "unit", "team", "person", "system"

# Scans of identity documents: previewed only for roles with ``id_scans``.
ID_DOCUMENT_TYPES = frozenset({"ID_PROOF"})

PAGES = (
    "kpi",
    "rankings",
    "sla",
    "reminders",
    "contracts",
    "audit",
    "customer",
    "dossiers",
    "quality",
    "access_log",
)
# The paper to-do list: everyone who adds paper or sees to it that it is added.
TODO = ("missing_documents",)


@dataclass(frozen=True)
class Role:
    name: str
    level: str
    pages: tuple[str, ...]
    unmasked: bool = False
    id_scans: bool = False
    raw_rows: bool = False


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role("leader", COMPANY, (*PAGES[:9], *TODO)),
        Role("unit_manager", UNIT, (*PAGES[:8], *TODO), id_scans=True),
        Role("team_leader", TEAM, (*PAGES[:8], *TODO), id_scans=True),
        Role("staff", PERSON, ("kpi", "rankings", "sla", "reminders", *TODO)),
        Role("auditor", COMPANY, (*PAGES[:9], *TODO), id_scans=True),
        Role("analyst", COMPANY, (*PAGES[:9], *TODO), unmasked=True),
        Role("admin", SYSTEM, ("quality", "access_log"), raw_rows=True),
    )
}


def scope_level(role: str) -> str:
    """The level of a role's scope; a name that is no role raises (never a default scope)."""
    try:
        return ROLES[role].level
    except KeyError:
        raise KeyError(f"unknown role {role!r}; roles are {', '.join(ROLES)}") from None
