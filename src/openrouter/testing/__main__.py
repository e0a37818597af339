"""``python -m openrouter.testing --port 8080``: run the emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from openrouter.testing._command import serve
from openrouter.testing._emulator import DEFAULT_API_KEY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m openrouter.testing",
        description="Serve an offline emulator of OpenRouter's Responses API on loopback.",
    )
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument(
        "--api-key", default=DEFAULT_API_KEY, help=f"the Bearer key to accept ({DEFAULT_API_KEY})"
    )
    keys.add_argument("--any-key", action="store_true", help="accept any non-empty Bearer key")
    checks = parser.add_mutually_exclusive_group()
    checks.add_argument(
        "--validate", dest="validate", action="store_true", default=None,
        help="require request validation (needs jsonschema)",
    )  # fmt: skip
    checks.add_argument(
        "--no-validate", dest="validate", action="store_false", help="skip request validation"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
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
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
