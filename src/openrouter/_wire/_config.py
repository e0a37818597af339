"""Checks of the settings every request depends on; each fails at once with a typed error.

A mistake here (a base URL without scheme, a key read from a file with its newline, a timeout of
zero) can never heal, so it must never reach the retry loop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openrouter._retry_config import RetryConfig

if TYPE_CHECKING:
    from openrouter.errors import RequestValidationError

__all__ = [
    "Secret",
    "check_headers",
    "check_max_event_bytes",
    "check_retry_config",
    "check_server_url",
    "check_timeout_ms",
    "clean_api_key",
]


def _config_error(field: str, message: str) -> RequestValidationError:
    # errors loads httpx; constructing a client must not, so it is imported only to fail.
    from openrouter.errors import ConfigurationError

    return ConfigurationError(field, message)


def _input_error(field: str, message: str) -> RequestValidationError:
    from openrouter.errors import RequestValidationError

    return RequestValidationError(field, message)


class Secret(str):
    """A string whose repr never shows it: locals in tracebacks (``pytest --showlocals``,
    Sentry) and debuggers print ``'<redacted>'``; the value itself is unchanged."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<redacted>'"


def clean_api_key(key: str) -> Secret:
    """The key without surrounding white space (a key read from a file keeps its newline).

    A key with a line break or a non-ASCII character inside cannot be sent as a header; the
    error says where, never what.
    """
    if not isinstance(key, str):
        raise _config_error(
            "api_key", f"must be a str or a callable returning one, not {type(key).__name__}"
        )
    stripped = Secret(key.strip())  # a plain str local would show in tracebacks with locals
    for index, char in enumerate(stripped):
        if char in "\r\n":
            raise _config_error("api_key", f"contains a line break at position {index}")
        if not (" " <= char <= "~"):
            raise _config_error(
                "api_key",
                f"contains a character that cannot be sent in a header at position {index} "
                f"(U+{ord(char):04X}); check how the key was copied or read",
            )
    return stripped


def check_server_url(url: Any, field: str = "server_url") -> str:
    """An absolute ``http(s)://host[/path]`` URL without credentials, without a trailing slash.

    Plain string work, not ``urllib.parse``: this runs when a client is constructed, which must
    stay cheap (no ``re`` import).
    """
    if not isinstance(url, str):
        raise _config_error(field, f"must be a str, not {type(url).__name__}")
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if sep and "@" in authority:
        # Never echo it: the password would land in logs.
        raise _config_error(
            field,
            "must not contain user:password@ (the URL's credentials would be sent instead of "
            "the API key); pass the key as api_key",
        )
    if not sep or not scheme.isalpha():
        shown = text if len(text) <= 100 else text[:100] + "…"
        raise _config_error(field, f"must start with https:// or http:// (got {shown!r})")
    if scheme.lower() not in ("http", "https"):
        raise _config_error(field, f"scheme {scheme!r} is not supported; use https:// or http://")
    if any(char.isspace() for char in authority):
        raise _config_error(field, f"has white space in its host (got {text!r})")
    if authority.startswith("["):  # an IPv6 address: [::1] or [::1]:8080
        close = authority.find("]")
        if close < 0:
            raise _config_error(field, f"has an unclosed IPv6 address (got {text!r})")
        host, port = authority[1:close], authority[close + 1 :]
        if port and not port.startswith(":"):
            raise _config_error(field, f"has text after its IPv6 address (got {text!r})")
        port = port[1:]
    else:
        host, _, port = authority.partition(":")
    if not host:
        raise _config_error(field, f"has no host name (got {text!r})")
    if port and not (port.isdigit() and port.isascii() and int(port) <= 65535):
        raise _config_error(field, f"has a port that is not a number up to 65535 (got {text!r})")
    return text.rstrip("/")


def check_timeout_ms(value: Any, field: str = "timeout_ms") -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _config_error(field, f"must be a number of milliseconds, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise _config_error(field, f"must be a positive number of milliseconds, got {value}")
    return float(value)


def check_max_event_bytes(value: Any) -> int:
    from openrouter._wire._sse import DEFAULT_MAX_EVENT_BYTES

    if value is None:
        return DEFAULT_MAX_EVENT_BYTES
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _config_error("max_event_bytes", f"must be a positive int, got {value!r}")
    return value


def check_retry_config(value: Any, field: str = "retry_config") -> RetryConfig | None:
    if value is not None and not isinstance(value, RetryConfig):
        raise _config_error(
            field, f"must be an openrouter.utils.RetryConfig, not {type(value).__name__}"
        )
    return value


def check_headers(headers: Any, field: str = "http_headers") -> Mapping[str, str]:
    """Header names and values that can be sent as they are; the error names the header,
    never its value."""
    if not isinstance(headers, Mapping):
        raise _input_error(field, f"must be a dict of str to str, not {type(headers).__name__}")
    for name, value in headers.items():
        if not isinstance(name, str) or not name or not name.isascii() or ":" in name:
            raise _input_error(field, f"{name!r} is not a valid header name")
        if any(c in name for c in " \t\r\n"):
            raise _input_error(field, f"{name!r} is not a valid header name")
        if not isinstance(value, str):
            raise _input_error(
                field, f"the value of {name!r} must be a str, not {type(value).__name__}"
            )
        if "\r" in value or "\n" in value or "\0" in value:
            raise _input_error(field, f"the value of {name!r} contains a line break")
        if not value.isascii():
            raise _input_error(
                field, f"the value of {name!r} has non-ASCII characters (percent-encode them)"
            )
    return headers
