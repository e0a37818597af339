"""How the command ends: exit codes, the user's error line, and the failures behind them.

The lowest module of the command: the others import from it, it imports none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from openrouter.components import OpenResponsesResult

PROG = "openrouter"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NO_KEY = 3
EXIT_AUTH = 4
EXIT_CREDITS = 5
EXIT_RATE_LIMIT = 6
EXIT_NETWORK = 7
EXIT_API = 8
EXIT_STREAM = 9
EXIT_INCOMPLETE = 10
EXIT_COST_CAP = 11
EXIT_BULK_FAILED = 12
EXIT_BROKEN_PIPE = 141
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\
exit codes:
  0    success
  1    unexpected failure (run with --debug for a traceback)
  2    usage error (bad option, no prompt, unreadable --image/--file)
  3    no API key: set OPENROUTER_API_KEY, or use --emulator
  4    the API key was rejected (401)
  5    not enough credits (402)
  6    rate limited (429)
  7    network error or timeout before the answer started
  8    any other API error (400, 403, 404, 5xx ...)
  9    the response failed, or its stream failed or was cut off
  10   the response is incomplete (max output tokens, content filter)
  11   bulk: the cost cap (--max-cost) stopped the run before its input ended
  12   bulk: some requests failed (their lines in the output say why)
  130  interrupted by Ctrl-C (the connection is closed: generation stops)
  141  stdout was closed early, e.g. by `| head` (the rest is not printed)"""


class CLIError(Exception):
    """A failure the user can act on: printed as one line, exits with ``code``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def exit_code_for(exc: BaseException) -> int:
    from openrouter import errors

    if isinstance(exc, CLIError):
        return exc.code
    if isinstance(exc, errors.MissingAPIKeyError):
        return EXIT_NO_KEY
    if isinstance(exc, errors.UnauthorizedResponseError):
        return EXIT_AUTH
    if isinstance(exc, errors.PaymentRequiredResponseError):
        return EXIT_CREDITS
    if isinstance(exc, errors.TooManyRequestsResponseError):
        return EXIT_RATE_LIMIT
    # Before APIConnectionError: a stream that stalls mid-way is both; it is a stream failure.
    if isinstance(exc, (errors.StreamError, errors.ResponseFailedError)):
        return EXIT_STREAM
    if isinstance(exc, errors.APIConnectionError):
        return EXIT_NETWORK
    if isinstance(exc, errors.OpenRouterError):
        return EXIT_API
    if isinstance(exc, errors.RequestValidationError):
        return EXIT_USAGE
    if isinstance(exc, errors.IncompleteResponseError):
        return EXIT_INCOMPLETE
    return EXIT_FAILURE


# The client settings the command fills from its options and environment, by the name the
# SDK's RequestValidationError gives them: the user never typed "server_url".
_SETTING_SOURCES = {
    "api_key": "OPENROUTER_API_KEY",
    "server_url": "--base-url / OPENROUTER_BASE_URL",
    "timeout_ms": "--timeout",
    "http_headers": "--header",
}


def error_message(exc: BaseException) -> str:
    """One line saying what went wrong and, where there is one, what to do about it."""
    from openrouter import errors

    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    if isinstance(exc, errors.MissingAPIKeyError):
        return "no API key: set OPENROUTER_API_KEY (https://openrouter.ai/keys) or use --emulator"
    if isinstance(exc, errors.UnauthorizedResponseError):
        return f"{text} (check OPENROUTER_API_KEY)"
    if isinstance(exc, errors.PaymentRequiredResponseError):
        if "openrouter.ai/" in text:  # the server's message may already say where
            return text
        return f"{text} (add credits at https://openrouter.ai/settings/credits)"
    if isinstance(exc, errors.TooManyRequestsResponseError):
        wait = exc.retry_after
        hint = f"retry in {wait:g}s" if wait is not None else "retry later"
        return f"{text} ({hint})"
    if isinstance(exc, errors.OpenRouterError) and exc.generation_id:
        return f"{text} (generation {exc.generation_id})"
    if isinstance(exc, errors.RequestValidationError) and exc.field in _SETTING_SOURCES:
        prefix = f"{exc.field}: "
        detail = text[len(prefix) :] if text.startswith(prefix) else text
        return f"{_SETTING_SOURCES[exc.field]}: {detail}"
    if isinstance(exc, (CLIError, errors.OpenRouterSDKError)):
        return text
    return f"{type(exc).__name__}: {text}"


def report_error(exc: BaseException, err: TextIO, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
    # A cut-off answer has been printed: what is wrong is only that it is partial.
    kind = "warning" if exit_code_for(exc) == EXIT_INCOMPLETE else "error"
    err.write(f"{PROG}: {kind}: {error_message(exc)}\n")
    err.flush()


def check_result(result: OpenResponsesResult) -> None:
    """Raise when a finished response is not a complete answer (its text is printed by now)."""
    from openrouter.errors import raise_if_failed, raise_if_incomplete

    raise_if_failed(result)
    raise_if_incomplete(result)
