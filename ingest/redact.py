"""Keep credentials out of everything printed or stored: logs, error messages, the warehouse.

A connection URL carries its password in the user part (``user:secret@host``) and a
webhook carries its key in the query (``?key=…``). Messages are built from URLs in many
places (a describe line, a driver's error quoting its connection string), so redaction
works on both ends: :func:`redact_url` for a URL about to be shown, :func:`redact` for any
text that may quote one of the secrets :func:`url_secrets` finds.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable

MASK = "***"
# Query parameters whose values are credentials (compared in lower case).
SECRET_PARAMETERS = frozenset(
    {"key", "token", "access_token", "secret", "password", "passwd", "pwd", "sign", "signature", "api_key"}
)


def url_secrets(url: str) -> list[str]:
    """The credentials in ``url``: its password and the values of secret query parameters."""
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    secrets = [urllib.parse.unquote(password)] if password else []
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=False):
        if name.lower() in SECRET_PARAMETERS and value:
            secrets.append(value)
    return secrets


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret, as written or URL-encoded, replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}:
            text = text.replace(form, MASK)
    return text


def redact_url(url: str) -> str:
    """``url`` as it may be shown: password and secret query values replaced by ``***``."""
    return redact(url, url_secrets(url))
