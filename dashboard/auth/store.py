"""The users store and the access log, a SQLite file beside the warehouse.

Beside, not inside: a published warehouse version is replaced by every build and read by
analysts, while accounts, password hashes and the access log must survive builds and stay
out of the analysts' hands. The file is created 0600 (only the service account reads it).

Passwords are hashed with argon2id (``argon2-cffi``'s defaults); nothing stores or logs a
password in clear. A user who fails ``MAX_FAILED_LOGINS`` times in a row is locked out for
``LOCKOUT_MINUTES``; a correct password during the lockout does not let them in.

The access log is append-only: triggers refuse every update and delete of its rows.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dashboard.auth.roles import ROLES, Role, scope_level

ENV_USERS = "DANGAN_USERS"
MAX_FAILED_LOGINS = int(os.environ.get("DANGAN_MAX_FAILED_LOGINS", "5"))
LOCKOUT_MINUTES = int(os.environ.get("DANGAN_LOCKOUT_MINUTES", "15"))
MIN_PASSWORD_LENGTH = 10

_HASHER = PasswordHasher()

SCHEMA = """
create table if not exists users (
    username text primary key,
    role text not null,
    unit_code text,
    team_code text,
    person_id text,
    display_name text,
    email text unique,
    password_hash text,
    is_disabled integer not null default 0,
    failed_logins integer not null default 0,
    locked_until text,
    created_at text not null,
    password_changed_at text
);
create table if not exists access_log (
    log_id integer primary key autoincrement,
    logged_at text not null,
    username text not null,
    action text not null,
    target text,
    detail text
);
create trigger if not exists access_log_no_update before update on access_log
begin select raise(abort, 'access_log is append-only'); end;
create trigger if not exists access_log_no_delete before delete on access_log
begin select raise(abort, 'access_log is append-only'); end;
"""


class UserStoreError(ValueError):
    """A users-store operation that cannot be done as asked (names the user and why)."""


class LoginError(PermissionError):
    """A login refused; the message is safe to show (it never says which part was wrong)."""


class LockedOutError(LoginError):
    """Too many failed logins in a row: the user must wait until ``until``."""

    def __init__(self, username: str, until: dt.datetime) -> None:
        super().__init__(f"user {username!r} is locked out until {until:%Y-%m-%d %H:%M}")
        self.until = until


@dataclass(frozen=True)
class User:
    """An account as the dashboard needs it: who, which role, and the scope's anchor."""

    username: str
    role: str
    unit_code: str | None = None
    team_code: str | None = None
    person_id: str | None = None
    display_name: str | None = None
    email: str | None = None
    is_disabled: bool = False

    @property
    def role_spec(self) -> Role:
        return ROLES[self.role]


def users_path(warehouse: Path) -> Path:
    """``DANGAN_USERS``, else ``<warehouse>.users.sqlite`` beside the warehouse link."""
    env = os.environ.get(ENV_USERS)
    if env:
        return Path(env)
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + ".users.sqlite")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class UserStore:
    """Accounts and the access log in one SQLite file (opened per operation: the dashboard
    serves many sessions from threads, and SQLite connections are not shared across them)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            self.path.touch(mode=0o600)
        with self._connect() as con:
            con.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.row_factory = sqlite3.Row
        try:
            yield con
        finally:
            con.close()

    # --- accounts -------------------------------------------------------------------------

    def add(
        self,
        username: str,
        password: str,
        role: str,
        *,
        unit_code: str | None = None,
        team_code: str | None = None,
        person_id: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> User:
        """A new account; the role's scope needs its anchor (unit, team or person)."""
        username = username.strip()
        if not username:
            raise UserStoreError("a user needs a non-empty username")
        if role not in ROLES:
            raise UserStoreError(f"user {username!r}: unknown role {role!r}; roles are {', '.join(ROLES)}")
        anchors = {"unit": unit_code, "team": team_code, "person": person_id}
        level = scope_level(role)
        if level in anchors and not anchors[level]:
            raise UserStoreError(f"user {username!r}: role {role!r} needs --{level} (the scope it sees)")
        _check_password(username, password)
        with self._connect() as con:
            try:
                con.execute(
                    "insert into users (username, role, unit_code, team_code, person_id, display_name, "
                    "email, password_hash, created_at, password_changed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        username,
                        role,
                        unit_code,
                        team_code,
                        person_id,
                        display_name,
                        email,
                        _HASHER.hash(password),
                        _stamp(_now()),
                        _stamp(_now()),
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise UserStoreError(f"user {username!r} or email {email!r} exists already") from error
        return self.get(username)

    def get(self, username: str) -> User:
        with self._connect() as con:
            row = con.execute("select * from users where username = ?", (username,)).fetchone()
        if row is None:
            raise UserStoreError(f"no user {username!r}")
        return _user(row)

    def by_email(self, email: str) -> User | None:
        """The account an OpenID Connect identity maps to (its e-mail, case-insensitive)."""
        with self._connect() as con:
            row = con.execute("select * from users where lower(email) = lower(?)", (email,)).fetchone()
        return None if row is None else _user(row)

    def list(self) -> list[User]:
        with self._connect() as con:
            rows = con.execute("select * from users order by username").fetchall()
        return [_user(row) for row in rows]

    def set_password(self, username: str, password: str) -> None:
        """A new password; it also lifts a lockout."""
        self.get(username)
        _check_password(username, password)
        with self._connect() as con:
            con.execute(
                "update users set password_hash = ?, password_changed_at = ?, failed_logins = 0, "
                "locked_until = null where username = ?",
                (_HASHER.hash(password), _stamp(_now()), username),
            )

    def disable(self, username: str) -> None:
        self.get(username)
        with self._connect() as con:
            con.execute("update users set is_disabled = 1 where username = ?", (username,))

    # --- login ----------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, now: dt.datetime | None = None) -> User:
        """The user when the password is right and the account open; every refusal counts
        towards the lockout and is written to the access log."""
        now = now or _now()
        with self._connect() as con:
            con.execute("begin immediate")
            row = con.execute("select * from users where username = ?", (username,)).fetchone()
            if row is None:
                con.execute("commit")
                self.log(username, "login_failed", detail="unknown user")
                raise LoginError("wrong username or password")
            locked_until = dt.datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None
            if locked_until is not None and now < locked_until:
                con.execute("commit")
                self.log(username, "login_refused", detail="locked out")
                raise LockedOutError(username, locked_until)
            if row["is_disabled"]:
                con.execute("commit")
                self.log(username, "login_refused", detail="disabled")
                raise LoginError("wrong username or password")
            if not _verify(row["password_hash"], password):
                failed = int(row["failed_logins"]) + 1
                until = now + dt.timedelta(minutes=LOCKOUT_MINUTES) if failed >= MAX_FAILED_LOGINS else None
                con.execute(
                    "update users set failed_logins = ?, locked_until = ? where username = ?",
                    (0 if until else failed, _stamp(until) if until else None, username),
                )
                con.execute("commit")
                self.log(username, "login_failed", detail=f"wrong password ({failed})")
                if until is not None:
                    raise LockedOutError(username, until)
                raise LoginError("wrong username or password")
            con.execute(
                "update users set failed_logins = 0, locked_until = null where username = ?", (username,)
            )
            if _HASHER.check_needs_rehash(row["password_hash"]):
                con.execute(
                    "update users set password_hash = ? where username = ?",
                    (_HASHER.hash(password), username),
                )
            con.execute("commit")
        self.log(username, "login", detail="password")
        return self.get(username)

    # --- access log -----------------------------------------------------------------------

    def log(self, username: str, action: str, target: str | None = None, detail: str | None = None) -> None:
        with self._connect() as con:
            con.execute(
                "insert into access_log (logged_at, username, action, target, detail) values (?, ?, ?, ?, ?)",
                (_stamp(_now()), username, action, target, detail),
            )

    def access_log(self, limit: int = 5000) -> list[dict[str, object]]:
        """The newest entries first."""
        with self._connect() as con:
            rows = con.execute(
                "select logged_at, username, action, target, detail from access_log "
                "order by log_id desc limit ?",
                (int(limit),),
            ).fetchall()
        return [dict(row) for row in rows]


def _check_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserStoreError(f"user {username!r}: a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _verify(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _user(row: sqlite3.Row) -> User:
    return User(
        username=row["username"],
        role=row["role"],
        unit_code=row["unit_code"],
        team_code=row["team_code"],
        person_id=row["person_id"],
        display_name=row["display_name"],
        email=row["email"],
        is_disabled=bool(row["is_disabled"]),
    )
