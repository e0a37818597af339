"""The command's arguments: option definitions, help texts, and finding the subcommand."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NoReturn

from openrouter.cli._exit import EXIT_CODES_HELP, EXIT_USAGE, PROG

DEFAULT_MODEL = "openai/gpt-4o-mini"
# ReasoningEffort in the OpenAPI description, weakest first.
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
REASONING_SUMMARIES = ("auto", "concise", "detailed")
# "emulate" is parsed by openrouter.testing._command, shared with python -m openrouter.testing.
SUBCOMMANDS = ("bulk", "chat", "emulate", "models")

# The chat's slash commands: printed by `openrouter chat --help` and by /help.
CHAT_COMMANDS = """\
  /help          show this list
  /exit          leave (also /quit, or Ctrl-D)
  /reset         forget the conversation so far and start a new one
  /model [NAME]  show the model, or switch to NAME for the next replies
  /usage         tokens and cost of this session so far
  //text         send "/text" as a message"""

# Help text is pre-wrapped to 79 columns (RawDescriptionHelpFormatter keeps it as written).
MAIN_DESCRIPTION = """\
Send a prompt to a model through OpenRouter's Responses API and stream the
answer to stdout.

The prompt is the PROMPT words, or stdin when it is piped; with both, stdin is
appended to the prompt as context. The API key is read from OPENROUTER_API_KEY
and is never printed.

commands:
  openrouter [options] PROMPT...         answer one prompt (the default)
  openrouter chat [options] [PROMPT...]  chat interactively, keeping context
  openrouter models [SEARCH] [--supports LIST]
                                         list models, prices and context sizes
  openrouter bulk IN.jsonl -o OUT.jsonl  send many requests, resumably
  openrouter emulate [--port N]          serve the offline emulator locally

A first word of exactly "chat", "models", "bulk" or "emulate" is a command. To send it
as the prompt, put "--" before it: openrouter -- chat"""

MAIN_EPILOG = f"""\
examples:
  openrouter "Tell me a joke" -m openai/gpt-4o
  openrouter --emulator "Tell me a joke"      # offline, no key needed
  git diff | openrouter "Write a commit message for this diff"
  openrouter --image cat.png "What is in this picture?"
  openrouter --reasoning-effort high --show-reasoning "Is 1001 prime?"
  openrouter --json "Hi" | jq -r .type        # one JSON event per line
  openrouter --no-stream --usage "Hi"         # whole answer, then tokens/cost
  openrouter chat -m anthropic/claude-sonnet-4
  openrouter models --supports tools,reasoning
  openrouter emulate --port 8080

environment:
  OPENROUTER_API_KEY    the API key
  OPENROUTER_MODEL      the default model (else {DEFAULT_MODEL})
  OPENROUTER_BASE_URL   the API base URL (else https://openrouter.ai/api/v1)
  NO_COLOR              set to print reasoning without dimming

{EXIT_CODES_HELP}"""

CHAT_DESCRIPTION = f"""\
Chat interactively: type a message and the reply streams back. The conversation
is kept and resent each turn (the API is stateless). Ctrl-C during a reply
cancels it and closes its connection; Ctrl-D (end of input) or /exit leaves.
When stdin is not a terminal, each line is one message. A PROMPT given on the
command line is the first message. Without --emulator, OPENROUTER_API_KEY must
be set before the chat starts.

A line starting with "/" is a command, never sent to the model:
{CHAT_COMMANDS}"""

CHAT_EPILOG = f"""\
examples:
  openrouter chat
  openrouter chat --emulator
  openrouter chat -m openai/gpt-4o -i "Answer like a pirate" "Hello"

{EXIT_CODES_HELP}"""


class Parser(argparse.ArgumentParser):
    """Usage errors as one ``openrouter: error:`` line plus a pointer to ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """An amount such as a price or a cost cap: a number, 0 or more (NaN refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _add_request_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "prompt", nargs="*", metavar="PROMPT", help="the prompt (several words are joined)"
    )
    model = parser.add_argument_group("model and generation")
    model.add_argument(
        "-m",
        "--model",
        default=None,
        help=f"model id (default: $OPENROUTER_MODEL, else {DEFAULT_MODEL})",
    )
    model.add_argument("-i", "--instructions", help="system instructions for the model")
    model.add_argument(
        "--reasoning-effort", choices=REASONING_EFFORTS, help="how hard a reasoning model thinks"
    )
    model.add_argument(
        "--reasoning-summary",
        choices=REASONING_SUMMARIES,
        help="ask for a reasoning summary (some models only show reasoning this way)",
    )
    model.add_argument(
        "--show-reasoning",
        action="store_true",
        help="print the model's reasoning to stderr (dimmed on a terminal)",
    )
    model.add_argument(
        "--max-output-tokens", type=positive_int, metavar="N", help="cap on the answer's tokens"
    )
    model.add_argument(
        "-t", "--temperature", type=float, metavar="T", help="sampling temperature, e.g. 0.7"
    )
    model.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="PATH",
        help="attach an image file (or an http(s)/data: URL); repeatable",
    )
    model.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="PATH",
        help="attach a file such as a PDF (or an http(s) URL); repeatable",
    )

    output = parser.add_argument_group("output")
    output.add_argument(
        "--no-stream", action="store_true", help="wait for the whole answer, then print it"
    )
    output.add_argument(
        "--json",
        action="store_true",
        help="print JSON: one stream event per line (with --no-stream: the whole result)",
    )
    output.add_argument(
        "--usage", action="store_true", help="print tokens and cost to stderr at the end"
    )
    add_connection_options(parser)


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """Where and how to connect: shared by every command that sends requests."""
    conn = parser.add_argument_group("connection")
    conn.add_argument(
        "--emulator",
        action="store_true",
        help="answer from the built-in offline emulator (no key, no network)",
    )
    conn.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: $OPENROUTER_BASE_URL, else OpenRouter's)",
    )
    conn.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        type=_header,
        metavar="NAME=VALUE",
        help="extra HTTP header; repeatable",
    )
    conn.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="longest wait for the server, also between stream events (default: 600)",
    )
    conn.add_argument(
        "--no-retry", action="store_true", help="fail at once on 429/5xx instead of retrying"
    )
    conn.add_argument(
        "--debug",
        action="store_true",
        help="debug logging and tracebacks on stderr (the API key is never shown)",
    )


def _version() -> str:
    from openrouter._version import __version__

    return f"{PROG} {__version__}"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        usage="%(prog)s [options] [PROMPT ...]\n"
        "       %(prog)s chat [options] [PROMPT ...]\n"
        "       %(prog)s models [SEARCH] [--supports LIST] [--json]\n"
        "       %(prog)s bulk IN.jsonl -o OUT.jsonl [--concurrency N] [--max-cost USD]\n"
        "       %(prog)s emulate [--port N] [--host HOST]",
        description=MAIN_DESCRIPTION,
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=_version())
    _add_request_options(parser)
    return parser


def build_chat_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=f"{PROG} chat",
        usage="%(prog)s [options] [PROMPT ...]",
        description=CHAT_DESCRIPTION,
        epilog=CHAT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_request_options(parser)
    return parser


def split_command(argv: Sequence[str], parser: argparse.ArgumentParser) -> tuple[str | None, int]:
    """The subcommand and its position, when the first positional word is one.

    Scanning needs to know which options take a value (``-m chat`` is a model, not a command),
    so it asks the parser. Anything after ``--`` is prompt text.
    """
    takes_value = {
        option
        for action in parser._actions
        if action.nargs != 0
        for option in action.option_strings
    }
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            return None, -1
        if word.startswith("-") and word != "-":
            # "--model=x" and "-mx" carry their value; "--model x" and "-m x" do not.
            if word in takes_value:
                index += 1
            index += 1
            continue
        return (word, index) if word in SUBCOMMANDS else (None, -1)
    return None, -1
