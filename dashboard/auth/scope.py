"""Row scope and masking of every warehouse query, in one function: :func:`scoped_sql`.

Every table a dashboard query names (``marts.x``, ``raw.x``, ``delivery.x``) is replaced by
a subquery that keeps only the rows of the user's unit, team or person and masks the
personal columns the user's role may not read. A table without a rule for the user's scope
is refused, so a new query or table is closed until someone writes its rule here. The
scope comes from the logged-in user alone: nothing a browser sends (URL parameters,
widget values) reaches it.

Masking happens in SQL, before any row leaves the warehouse, so the screen, the exports
and a search all see the same masked values (a residential customer cannot be found by
the real name where the name is masked).
"""

from __future__ import annotations

import re

from dashboard.auth.roles import COMPANY, PERSON, ROLES, SYSTEM, TEAM, UNIT
from dashboard.auth.store import User


class AccessDeniedError(PermissionError):
    """The user's role may not read a table at its scope (names the user, role and table)."""


# Who a person-scoped user works with: the team they are in (for their team's ranking).
_OWN_TEAM = "(select team_code from marts.org_entities where entity_id = {person})"
# Customers by where they are served: their unit, and the team of their customer manager.
_UNIT_CUSTOMERS = "(select cust_no from raw.customers where unit_code = {unit})"
_TEAM_PEOPLE = "(select entity_id from marts.org_entities where team_code = {team})"
_UNIT_PEOPLE = "(select entity_id from marts.org_entities where unit_code = {unit})"
_TEAM_CUSTOMERS = f"(select cust_no from raw.customers where manager_id in {_TEAM_PEOPLE})"
_PERSON_CUSTOMERS = "(select cust_no from raw.customers where manager_id = {person})"

# table -> {scope level -> predicate}. A level missing from a table's rules has no access.
RULES: dict[str, dict[str, str]] = {
    "marts.kpi_monthly": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: "entity_id = {person}",
    },
    "marts.scorecard_monthly": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: f"tier in ('staff', 'collector') and team_code = {_OWN_TEAM}",
    },
    "marts.org_entities": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: f"team_code = {_OWN_TEAM}",
        SYSTEM: "true",
    },
    "marts.staff_team_history": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: "staff_id = {person}",
    },
    "marts.sla_monitor": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: "assignee_id = {person}",
    },
    "marts.reminders": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: "person_id = {person}",
    },
    "marts.missing_documents": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: "assignee_id = {person}",
    },
    "marts.reminder_digest": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: "person_id = {person}",
    },
    "delivery.outbox": {
        UNIT: f"person_id in {_UNIT_PEOPLE}",
        TEAM: f"person_id in {_TEAM_PEOPLE}",
        PERSON: "person_id = {person}",
    },
    "marts.contract_status": {
        UNIT: "unit_code = {unit}",
        TEAM: "manager_team_code = {team}",
        PERSON: "manager_id = {person}",
    },
    # The customers' names and addresses beside the audit sample (masked below by role).
    "raw.customers": {
        UNIT: "unit_code = {unit}",
        TEAM: f"manager_id in {_TEAM_PEOPLE}",
        PERSON: "manager_id = {person}",
    },
    "marts.audit_sample": {
        UNIT: "unit_code = {unit}",
        TEAM: f"owner_id in {_TEAM_PEOPLE}",
        PERSON: "owner_id = {person}",
    },
    "marts.customer_documents": {
        UNIT: f"cust_no in {_UNIT_CUSTOMERS}",
        TEAM: f"cust_no in {_TEAM_CUSTOMERS}",
        PERSON: f"cust_no in {_PERSON_CUSTOMERS}",
    },
    "marts.customer_processes": {
        UNIT: f"cust_no in {_UNIT_CUSTOMERS}",
        TEAM: f"cust_no in {_TEAM_CUSTOMERS}",
        PERSON: f"cust_no in {_PERSON_CUSTOMERS}",
    },
    "marts.borrowing_report": {
        UNIT: "unit_code = {unit}",
        TEAM: f"cust_no in {_TEAM_CUSTOMERS}",
        PERSON: "borrower_id = {person}",
    },
    "marts.customers": {
        UNIT: "unit_code = {unit}",
        TEAM: f"cust_no in {_TEAM_CUSTOMERS}",
        PERSON: f"cust_no in {_PERSON_CUSTOMERS}",
    },
    "marts.dossier_lookup": {
        UNIT: "unit_code = {unit}",
        TEAM: f"cust_no in {_TEAM_CUSTOMERS}",
        PERSON: "borrower_id = {person}",
    },
    "marts.scan_pages": {
        UNIT: f"doc_id in (select doc_id from marts.customer_documents where cust_no in {_UNIT_CUSTOMERS})",
        TEAM: f"doc_id in (select doc_id from marts.customer_documents where cust_no in {_TEAM_CUSTOMERS})",
        SYSTEM: "true",
    },
    "marts.gate_violations": {
        UNIT: "unit_code = {unit}",
        TEAM: "team_code = {team}",
        PERSON: "assignee_id = {person}",
        SYSTEM: "true",
    },
    "marts.gate_violations_monthly": {UNIT: "unit_code = {unit}", TEAM: "team_code = {team}", SYSTEM: "true"},
    "marts.unmatched_barcodes": {SYSTEM: "true"},
    "raw.ingest_runs": {SYSTEM: "true"},
    "raw.ingest_rejects": {SYSTEM: "true"},
    "raw.scan_files": {SYSTEM: "true"},
    # No unit, team or person in them: the same for everyone.
    "marts.code_labels": {UNIT: "true", TEAM: "true", PERSON: "true", SYSTEM: "true"},
    "marts.kpi_months": {UNIT: "true", TEAM: "true", PERSON: "true", SYSTEM: "true"},
    "marts.build_info": {UNIT: "true", TEAM: "true", PERSON: "true", SYSTEM: "true"},
}

# Tables without a unit, team or person in them, readable before login too (labels of
# codes are looked up in widget formatters, which may run outside a user's script run).
PUBLIC = frozenset({"marts.code_labels", "marts.kpi_months", "marts.build_info"})

# The company-wide roles read every table of RULES whole.
for _rules in RULES.values():
    _rules.setdefault(COMPANY, "true")


def mask_name_sql(column: str) -> str:
    """张*明: the first and last character kept, one star for each one between (张* for two)."""
    return (
        f"case when {column} is null then null when length({column}) <= 1 then '*' "
        f"when length({column}) = 2 then left({column}, 1) || '*' "
        f"else left({column}, 1) || repeat('*', length({column}) - 2) || right({column}, 1) end"
    )


def mask_mobile_sql(column: str) -> str:
    """138****1234: the first three and the last four digits of a mobile number kept."""
    return (
        f"case when regexp_matches({column}, '^\\+?[0-9]{{11,}}$') "
        f"then left({column}, length({column}) - 8) || '****' || right({column}, 4) else {column} end"
    )


def mask_address_sql(column: str) -> str:
    """嘉兴市南湖区文昌路***: the address up to its street, nothing below (number, building, room)."""
    return (
        f"case when regexp_matches({column}, '(路|街|大道|道|巷|弄)') "
        f"then regexp_extract({column}, '^.*?(路|街|大道|道|巷|弄)') || '***' else '***' end"
    )


_RESIDENTIAL = "(select cust_no from raw.customers where cust_class = 'residential')"

# table -> column -> masked expression, for the roles that see personal data masked.
MASKED: dict[str, dict[str, str]] = {
    "marts.contract_status": {
        "cust_name": f"case when cust_no in {_RESIDENTIAL} then {mask_name_sql('cust_name')} else cust_name end"
    },
    "marts.customer_documents": {
        "cust_name": f"case when cust_no in {_RESIDENTIAL} then {mask_name_sql('cust_name')} else cust_name end"
    },
    "marts.customers": {
        "cust_name": f"case when cust_class = 'residential' then {mask_name_sql('cust_name')} else cust_name end",
        "address": f"case when cust_class = 'residential' then {mask_address_sql('address')} else address end",
    },
    "marts.dossier_lookup": {
        "cust_name": f"case when cust_no in {_RESIDENTIAL} then {mask_name_sql('cust_name')} else cust_name end"
    },
    "marts.missing_documents": {
        "cust_name": f"case when cust_no in {_RESIDENTIAL} then {mask_name_sql('cust_name')} else cust_name end"
    },
    "raw.customers": {
        "cust_name": f"case when cust_class = 'residential' then {mask_name_sql('cust_name')} else cust_name end",
        "address": f"case when cust_class = 'residential' then {mask_address_sql('address')} else address end",
    },
    "marts.reminder_digest": {"mobile": mask_mobile_sql("mobile")},
    "delivery.outbox": {"address": mask_mobile_sql("address")},
}

# Columns no role but one that reads raw rows gets (the rejected source row, names and
# addresses in clear).
RAW_ONLY: dict[str, tuple[str, ...]] = {"raw.ingest_rejects": ("raw_row", "row_key")}

_TABLE = re.compile(r"\b(marts|raw|delivery|history|frozen)\.([A-Za-z_][A-Za-z0-9_]*)\b")
_ALIASED = re.compile(r"\s+as\s", re.IGNORECASE)


def literal(value: str) -> str:
    """A SQL string literal (quotes doubled): anchors come from the users store, not the browser."""
    return "'" + str(value).replace("'", "''") + "'"


def table_sql(table: str, user: User | None) -> str:
    """The subquery standing for ``table`` for ``user``: their rows, masked for their role;
    with no user, only the public tables."""
    if user is None:
        if table not in PUBLIC:
            raise AccessDeniedError(f"nobody is logged in to read {table}")
        return f"(select * from {table})"
    role = ROLES[user.role]
    rules = RULES.get(table)
    if rules is None or role.level not in rules:
        raise AccessDeniedError(f"user {user.username!r} (role {user.role}) may not read {table}")
    anchors = {"unit": user.unit_code, "team": user.team_code, "person": user.person_id}
    predicate = rules[role.level]
    for name, value in anchors.items():
        if "{" + name + "}" in predicate:
            if not value:
                raise AccessDeniedError(
                    f"user {user.username!r} (role {user.role}) has no {name} to scope {table} by"
                )
            predicate = predicate.replace("{" + name + "}", literal(value))
    replaced = {} if role.unmasked else dict(MASKED.get(table, {}))
    if not role.raw_rows:
        replaced.update({column: "null::varchar" for column in RAW_ONLY.get(table, ())})
    columns = "*"
    if replaced:
        columns = "* replace (" + ", ".join(f"{expr} as {column}" for column, expr in replaced.items()) + ")"
    return f"(select {columns} from {table} where {predicate})"


def scoped_sql(sql: str, user: User | None) -> str:
    """``sql`` with every warehouse table replaced by the user's scoped, masked subquery."""

    def replace(match: re.Match[str]) -> str:
        table = f"{match.group(1)}.{match.group(2)}"
        subquery = table_sql(table, user)
        aliased = _ALIASED.match(sql, match.end()) is not None
        return subquery if aliased else f"{subquery} as {match.group(2)}"

    return _TABLE.sub(replace, sql)
