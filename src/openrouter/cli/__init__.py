"""The ``openrouter`` command: one prompt, an interactive chat, or a local emulator.

Only the standard library is imported at module level; httpx, pydantic and the SDK's request
machinery load when a request is actually made, so ``openrouter --help`` starts instantly.

Modules, each importing only those above it: ``_exit`` (exit codes, error lines), ``_args``
(options and help), ``_output`` (printing), ``_connect`` (the client), ``_run`` (one request),
``_chat`` (a session), ``_models`` (``openrouter models``, the catalogue), ``_bulk_progress``
and ``_bulk`` (``openrouter bulk``, many requests from a file).
``openrouter emulate`` is ``python -m openrouter.testing`` under another name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import suppress

from openrouter.cli._args import build_chat_parser, build_parser, split_command
from openrouter.cli._bulk import build_bulk_parser, run_bulk
from openrouter.cli._chat import run_chat
from openrouter.cli._exit import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    PROG,
    exit_code_for,
    report_error,
)
from openrouter.cli._models import build_models_parser, run_models
from openrouter.cli._run import run_once

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``openrouter`` command; returns the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    command, index = split_command(words, parser)
    if command is not None:
        words = words[:index] + words[index + 1 :]
    if command == "emulate":
        # The same parser and server loop as `python -m openrouter.testing`; options given
        # before the word "emulate" reach that parser too (and are rejected there).
        from openrouter.testing._command import main as emulate

        return emulate(words, prog=f"{PROG} emulate")
    if command == "chat":
        parser = build_chat_parser()
    elif command == "models":
        parser = build_models_parser()
    elif command == "bulk":
        parser = build_bulk_parser()
    args = parser.parse_args(words)
    debug: bool = args.debug
    if args.emulator and args.base_url:
        parser.error("--emulator and --base-url cannot be combined")
    _tolerant_output()
    _setup_logging(debug)
    stdin, out, err = sys.stdin, sys.stdout, sys.stderr
    try:
        if command == "chat":
            return run_chat(args, stdin, out, err)
        if command == "models":
            return run_models(args, out, err)
        if command == "bulk":
            return run_bulk(args, err)
        return run_once(args, stdin, out, err)
    except KeyboardInterrupt:
        # Every stream is closed on the way out (finally blocks), which stops the generation.
        err.write(f"{PROG}: interrupted\n")
        err.flush()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`openrouter ... | head`): stop quietly, as shell tools do.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        report_error(exc, err, debug)
        return exit_code_for(exc)


def _setup_logging(debug: bool) -> None:
    import logging

    root = logging.getLogger()
    if not root.handlers:  # main() may run more than once in a process (tests, embedding)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    if debug:
        # The SDK's own debug lines redact the Authorization header; httpx's INFO lines carry
        # only the method, URL and status.
        logging.getLogger("openrouter").setLevel(logging.DEBUG)
        logging.getLogger("httpx").setLevel(logging.INFO)


def _tolerant_output() -> None:
    # A terminal that cannot show a character should get a replacement, not a crash mid-answer.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):
                reconfigure(errors="replace")


def _silence_stdout() -> None:
    # Python flushes stdout at exit; with the pipe gone that would print another error.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
