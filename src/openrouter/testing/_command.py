"""Running the emulator from a shell: ``serve`` and the command line of
``python -m openrouter.testing`` (also behind ``openrouter emulate``)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from types import FrameType
from typing import TYPE_CHECKING, Any

from openrouter.testing._cassette_file import RECORD_MODES
from openrouter.testing._emulator import DEFAULT_API_KEY, Emulator

if TYPE_CHECKING:
    from openrouter.testing._cassette import Cassette

__all__ = ["build_parser", "main", "serve"]

_PROG = "python -m openrouter.testing"

# Pre-wrapped to 79 columns (RawDescriptionHelpFormatter keeps it as written).
DESCRIPTION = f"""\
Serve the offline emulator of OpenRouter's Responses API until Ctrl-C. Point a
client at the printed URL, e.g. OPENROUTER_BASE_URL=http://127.0.0.1:8080/api/v1
with OPENROUTER_API_KEY={DEFAULT_API_KEY}. Any model name is answered by the echo
model: "Echo: <your last message>"."""


def serve(
    port: int,
    host: str = "127.0.0.1",
    api_key: str | None = DEFAULT_API_KEY,
    *,
    validate: bool | None = None,
    quiet: bool = False,
    credit_limit: float | None = None,
    cassette: Cassette | None = None,
) -> None:
    """Run an emulator in the foreground until Ctrl-C (or SIGTERM); then return normally.

    Prints the base URL and key to use; logs one line per request to stderr unless ``quiet``.
    With a ``cassette``, answers from it (and records into it, in a record mode).
    """
    with suppress(KeyboardInterrupt):
        _serve(
            port,
            host,
            api_key,
            validate=validate,
            quiet=quiet,
            credit_limit=credit_limit,
            cassette=cassette,
        )


class _Stopped(KeyboardInterrupt):
    """Ctrl-C or SIGTERM while serving; ``signum`` says which (for the exit status)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _serve(
    port: int,
    host: str,
    api_key: str | None,
    *,
    validate: bool | None,
    quiet: bool,
    credit_limit: float | None = None,
    cassette: Cassette | None = None,
) -> None:
    """``serve``, but the interrupt that stops it propagates (``main`` turns it into 130)."""

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    emulator = Emulator(
        api_key=api_key,
        host=host,
        port=port,
        validate=validate,
        log=None if quiet else log,
        credit_limit=credit_limit,
        cassette=cassette,
    )
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def stop_serving(signum: int, frame: FrameType | None) -> None:
            raise _Stopped(signum)

        # Both, explicitly: a shell that starts us in the background ignores SIGINT, and
        # `kill -INT` should still stop the emulator.
        for which in (signal.SIGINT, signal.SIGTERM):
            previous[which] = signal.signal(which, stop_serving)
    try:
        with emulator:
            key = (
                f"API key: {emulator.api_key}"
                if api_key is not None
                else "API key: any non-empty Bearer key"
            )
            print(f"OpenRouter emulator listening on {emulator.url}", flush=True)
            print(f"{key}  (endpoint: POST {emulator.url}/responses; Ctrl-C to stop)", flush=True)
            if cassette is not None:
                print(_cassette_line(cassette), flush=True)
            while True:
                time.sleep(3600)
    finally:
        for which, handler in previous.items():
            signal.signal(which, handler)


def _cassette_line(cassette: Cassette) -> str:
    if not cassette.recording:
        return f"Replaying cassette {cassette.path} (record mode {cassette.record_mode})"
    return (
        f"Recording into cassette {cassette.path} from {cassette.upstream} "
        f"(record mode {cassette.record_mode})"
    )


def build_parser(prog: str = _PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=f"example:\n  {prog} --port 8080 --any-key",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on; 0 picks a free one (8080)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument(
        "--api-key",
        default=DEFAULT_API_KEY,
        metavar="KEY",
        help=f"the Bearer key to accept ({DEFAULT_API_KEY})",
    )
    keys.add_argument("--any-key", action="store_true", help="accept any non-empty Bearer key")
    checks = parser.add_mutually_exclusive_group()
    checks.add_argument(
        "--validate",
        dest="validate",
        action="store_true",
        default=None,
        help="require request validation (needs jsonschema; default: when it is installed)",
    )
    checks.add_argument(
        "--no-validate", dest="validate", action="store_false", help="skip request validation"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--credit-limit",
        type=_credit_limit,
        metavar="USD",
        help="answer POST /responses with 402 once this much has been spent",
    )
    tape = parser.add_argument_group("cassettes (recorded OpenRouter traffic)")
    tape.add_argument(
        "--cassette", metavar="PATH", help="answer from this cassette (a .jsonl file)"
    )
    tape.add_argument(
        "--record-mode",
        choices=RECORD_MODES,
        default=None,
        help="none (replay only, the default), once (record if the file is new), "
        "new_episodes (record what is missing), all (record everything anew)",
    )
    tape.add_argument(
        "--upstream",
        metavar="URL",
        help="where to record from (default: $OPENROUTER_BASE_URL, else "
        "https://openrouter.ai/api/v1); the key comes from $OPENROUTER_API_KEY",
    )
    tape.add_argument(
        "--match-ignore",
        action="append",
        default=[],
        metavar="FIELD",
        help="a request body field (dotted path) left out of matching; repeatable",
    )
    tape.add_argument(
        "--match-only",
        action="append",
        default=None,
        metavar="FIELD",
        help="match on these body fields only, e.g. --match-only model --match-only input",
    )
    tape.add_argument(
        "--scrub-header",
        action="append",
        default=[],
        metavar="NAME",
        help="a header never written to the cassette (besides Authorization and cookies)",
    )
    tape.add_argument(
        "--scrub-field",
        action="append",
        default=[],
        metavar="FIELD",
        help="a request body field (dotted path) never written to the cassette",
    )
    tape.add_argument(
        "--pacing", action="store_true", help="replay streams with their recorded timing"
    )
    return parser


def _credit_limit(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _cassette_of(args: argparse.Namespace) -> Cassette | None:
    if args.cassette is None:
        return None
    from openrouter.testing._cassette import Cassette
    from openrouter.testing._cassette_match import Match

    return Cassette(
        args.cassette,
        record_mode=args.record_mode or "none",
        match=Match(only=args.match_only, ignore=args.match_ignore),
        scrub_headers=args.scrub_header,
        scrub_fields=args.scrub_field,
        upstream=args.upstream,
        pacing=args.pacing,
    )


def main(argv: Sequence[str] | None = None, *, prog: str = _PROG) -> int:
    """Serve until Ctrl-C; returns the exit code (usage errors exit through argparse).

    Stopped by Ctrl-C the code is 130 (143 for SIGTERM), as shells report a process killed by
    that signal: a script waiting on the emulator can tell a stop from a crash (1).
    """
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.cassette is None and (args.record_mode or args.upstream):
        parser.error("--record-mode and --upstream need --cassette PATH")
    try:
        cassette = _cassette_of(args)
    except ValueError as exc:  # an unreadable cassette file
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    # Passed only when given, so callers of serve() without cassettes see no new keyword.
    extra: dict[str, Any] = {} if cassette is None else {"cassette": cassette}
    try:
        _serve(
            args.port,
            args.host,
            None if args.any_key else args.api_key,
            validate=args.validate,
            quiet=args.quiet,
            credit_limit=args.credit_limit,
            **extra,
        )
    except KeyboardInterrupt as exc:  # also Ctrl-C during start-up, before the handlers
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except (OSError, ImportError) as exc:  # the port is taken; --validate without jsonschema
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(f"{prog}: error: cannot serve on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    return 0
