"""The emulator's command line: ``python -m openrouter.testing`` and ``openrouter emulate``.

One parser for both, so their options and help cannot drift apart; only ``prog`` differs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from openrouter.testing._server import DEFAULT_API_KEY, serve

__all__ = ["build_parser", "main"]

# Pre-wrapped to 79 columns (RawDescriptionHelpFormatter keeps it as written).
DESCRIPTION = f"""\
Serve the offline emulator of OpenRouter's Responses API until Ctrl-C. Point a
client at the printed URL, e.g. OPENROUTER_BASE_URL=http://127.0.0.1:8080/api/v1
with OPENROUTER_API_KEY={DEFAULT_API_KEY}. Any model name is answered by the echo
model: "Echo: <your last message>"."""


def build_parser(prog: str = "python -m openrouter.testing") -> argparse.ArgumentParser:
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
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m openrouter.testing") -> int:
    """Serve until Ctrl-C; returns the exit code (usage errors exit through argparse)."""
    args = build_parser(prog).parse_args(argv)
    try:
        serve(
            args.port,
            args.host,
            None if args.any_key else args.api_key,
            validate=args.validate,
            quiet=args.quiet,
        )
    except KeyboardInterrupt:  # Ctrl-C during start-up
        pass
    except OSError as exc:
        reason = exc.strerror or exc
        print(f"{prog}: error: cannot serve on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    return 0
