"""The ``openrouter`` command: one prompt, an interactive chat, or a local emulator.

Only the standard library is imported at module level; httpx, pydantic and the SDK's request
machinery load when a request is actually made, so ``openrouter --help`` starts instantly.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, suppress
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from openrouter._client import OpenRouter
    from openrouter.components import OpenResponsesResult
    from openrouter.conversation import Conversation
    from openrouter.usage import Usage

__all__ = ["main"]

PROG = "openrouter"
DEFAULT_MODEL = "openai/gpt-4o-mini"
# ReasoningEffort in the OpenAPI description, weakest first.
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
REASONING_SUMMARIES = ("auto", "concise", "detailed")
SUBCOMMANDS = ("chat", "emulate")

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
  130  interrupted by Ctrl-C (the connection is closed: generation stops)"""

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
  openrouter emulate [--port N]          serve the offline emulator locally

A first word of exactly "chat" or "emulate" is a command. To send it as the
prompt, put "--" before it: openrouter -- chat"""

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
  openrouter emulate --port 8080

environment:
  OPENROUTER_API_KEY    the API key
  OPENROUTER_MODEL      the default model (else {DEFAULT_MODEL})
  OPENROUTER_BASE_URL   the API base URL (else https://openrouter.ai/api/v1)
  NO_COLOR              set to print reasoning without dimming

{EXIT_CODES_HELP}"""

CHAT_DESCRIPTION = """\
Chat interactively: type a message and the reply streams back. The conversation
is kept and resent each turn (the API is stateless). Ctrl-C during a reply
cancels it and closes its connection; Ctrl-D (end of input) or /exit leaves.
When stdin is not a terminal, each line is one message. A PROMPT given on the
command line is the first message."""

CHAT_EPILOG = f"""\
examples:
  openrouter chat
  openrouter chat --emulator
  openrouter chat -m openai/gpt-4o -i "Answer like a pirate" "Hello"

{EXIT_CODES_HELP}"""

EMULATE_DESCRIPTION = """\
Serve the offline emulator of OpenRouter's Responses API until Ctrl-C. Point a
client at the printed URL, e.g. OPENROUTER_BASE_URL=http://127.0.0.1:8080/api/v1
with OPENROUTER_API_KEY=sk-or-emulator. Any model name is answered by the echo
model: "Echo: <your last message>"."""


class CLIError(Exception):
    """A failure the user can act on: printed as one line, exits with ``code``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- argument parsing ------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
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
        "--max-output-tokens", type=_positive_int, metavar="N", help="cap on the answer's tokens"
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
    parser = _Parser(
        prog=PROG,
        usage="%(prog)s [options] [PROMPT ...]\n"
        "       %(prog)s chat [options] [PROMPT ...]\n"
        "       %(prog)s emulate [--port N] [--host HOST]",
        description=MAIN_DESCRIPTION,
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=_version())
    _add_request_options(parser)
    return parser


def build_chat_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"{PROG} chat",
        usage="%(prog)s [options] [PROMPT ...]",
        description=CHAT_DESCRIPTION,
        epilog=CHAT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_request_options(parser)
    return parser


def build_emulate_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"{PROG} emulate",
        description=EMULATE_DESCRIPTION,
        epilog=f"example:\n  {PROG} emulate --port 8080 --any-key",
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
        "--api-key", default=None, metavar="KEY", help="the Bearer key to accept (sk-or-emulator)"
    )
    keys.add_argument("--any-key", action="store_true", help="accept any non-empty Bearer key")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
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


# -- output ----------------------------------------------------------------------------------

_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


class Printer:
    """Writes what a response produces: text to stdout as it arrives, reasoning to stderr,
    or every event as a JSON line."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        json_mode: bool = False,
        show_reasoning: bool = False,
        dim: bool = False,
    ) -> None:
        self.out = out
        self.err = err
        self.json_mode = json_mode
        self.show_reasoning = show_reasoning
        self.dim = dim
        self._text_tail = ""  # last character of answer text written
        self._reasoning_tail = ""
        self._reasoning_part: tuple[Any, ...] | None = None

    def start(self) -> None:
        self._text_tail = self._reasoning_tail = ""
        self._reasoning_part = None

    def event(self, event: Any) -> None:
        if self.json_mode:
            import json

            self.out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
            self.out.flush()
            return
        kind = event.type
        if kind == "response.output_text.delta":
            self.text(event.delta)
        elif kind in ("response.reasoning_text.delta", "response.reasoning_summary_text.delta"):
            part = (
                kind,
                getattr(event, "item_id", None),
                getattr(event, "summary_index", None),
                getattr(event, "content_index", None),
            )
            self.reasoning(event.delta, part)

    def text(self, text: str) -> None:
        if not text:
            return
        self._end_reasoning()
        self.out.write(text)
        self.out.flush()
        self._text_tail = text[-1]

    def reasoning(self, text: str, part: tuple[Any, ...] | None = None) -> None:
        if not self.show_reasoning or not text:
            return
        if part != self._reasoning_part and self._reasoning_tail not in ("", "\n"):
            self.err.write("\n")  # a new summary part starts on its own line
        self._reasoning_part = part
        self.err.write(f"{_DIM}{text}{_RESET}" if self.dim else text)
        self.err.flush()
        self._reasoning_tail = text[-1]

    def _end_reasoning(self) -> None:
        if self._reasoning_tail:
            if self._reasoning_tail != "\n":
                self.err.write("\n")
            self.err.flush()
            self._reasoning_tail = ""
            self._reasoning_part = None

    def finish(self) -> None:
        """End the answer on a line of its own (also after Ctrl-C or an error mid-answer)."""
        self._end_reasoning()
        if self._text_tail and self._text_tail != "\n":
            self.out.write("\n")
        self.out.flush()
        self._text_tail = ""

    def result(self, result: OpenResponsesResult) -> None:
        """A whole (non-streamed) result."""
        if self.json_mode:
            import json

            self.out.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
            self.out.flush()
            return
        if self.show_reasoning:
            for item in result.to_dict().get("output", []):
                if isinstance(item, dict) and item.get("type") == "reasoning":
                    for text in _reasoning_texts(item):
                        self.reasoning(text, (id(text),))
        self.text(result.output_text)
        self.finish()


def _reasoning_texts(item: dict[str, Any]) -> Iterator[str]:
    # Full reasoning text when the model shares it, else its summary.
    parts = item.get("content") or item.get("summary") or []
    for part in parts:
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            yield part["text"]


def format_usage(usage: Usage, label: str = "usage") -> str:
    """``usage: 7 input + 4 output (1 reasoning) = 11 tokens, cost $0.00125``."""
    if not usage.requests_with_usage:
        return f"{label}: not reported by the server"
    line = (
        f"{label}: {usage.input_tokens} input"
        + (f" ({usage.cached_tokens} cached)" if usage.cached_tokens else "")
        + f" + {usage.output_tokens} output"
        + (f" ({usage.reasoning_tokens} reasoning)" if usage.reasoning_tokens else "")
        + f" = {usage.total_tokens} tokens"
    )
    if usage.requests_with_cost:
        line += ", cost $" + f"{usage.cost:.10f}".rstrip("0").rstrip(".")
    if usage.requests > 1:
        line += f" over {usage.requests} requests"
    return line


def _wants_color(stream: TextIO) -> bool:
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


# -- building the request --------------------------------------------------------------------


def read_prompt(words: Sequence[str], stdin: TextIO | None) -> str:
    """The prompt words, with piped stdin appended as context (or alone)."""
    prompt = " ".join(words).strip()
    piped = ""
    if stdin is not None and not _isatty(stdin):
        piped = stdin.read().strip()
    if prompt and piped:
        return f"{prompt}\n\n{piped}"
    return prompt or piped


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def _attachment(kind: str, spec: str) -> Any:
    """An ``input_image`` / ``input_file`` part; a bad path is a usage error, not a crash."""
    from openrouter import inputs

    build = inputs.input_image if kind == "image" else inputs.input_file
    try:
        return build(spec)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        where = f"--{kind}" if spec in reason else f"--{kind} {spec}"
        raise CLIError(EXIT_USAGE, f"{where}: {reason}") from None


def user_message(text: str, images: Sequence[str] = (), files: Sequence[str] = ()) -> Any:
    """The ``input`` for one user turn: the plain text, or a message with attachments."""
    if not images and not files:
        return text
    from openrouter.inputs import user

    parts = [_attachment("image", spec) for spec in images]
    parts += [_attachment("file", spec) for spec in files]
    # One list argument: message() flattens it into parts.
    return [user([text, *parts] if text else parts)]


def request_params(args: argparse.Namespace) -> dict[str, Any]:
    """The ``send`` keyword arguments the options ask for (except ``model`` and ``input``)."""
    params: dict[str, Any] = {}
    if args.instructions:
        params["instructions"] = args.instructions
    reasoning: dict[str, str] = {}
    if args.reasoning_effort:
        reasoning["effort"] = args.reasoning_effort
    if args.reasoning_summary:
        reasoning["summary"] = args.reasoning_summary
    if reasoning:
        params["reasoning"] = reasoning
    if args.max_output_tokens is not None:
        params["max_output_tokens"] = args.max_output_tokens
    if args.temperature is not None:
        params["temperature"] = args.temperature
    if args.header:
        params["http_headers"] = dict(args.header)
    return params


def _model(args: argparse.Namespace) -> str:
    model: str = args.model or os.environ.get("OPENROUTER_MODEL") or DEFAULT_MODEL
    return model


# -- errors ----------------------------------------------------------------------------------


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
    if isinstance(exc, (CLIError, errors.OpenRouterSDKError)):
        return text
    return f"{type(exc).__name__}: {text}"


def check_result(result: OpenResponsesResult) -> None:
    """Raise when a finished response is not a complete answer (its text is printed by now)."""
    from openrouter.errors import raise_if_failed, raise_if_incomplete

    raise_if_failed(result)
    raise_if_incomplete(result)


# -- running -----------------------------------------------------------------------------------


class Runner:
    """A configured client (and emulator, with ``--emulator``) for the whole command."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.model = _model(args)
        self.params = request_params(args)
        self.printer = Printer(
            out,
            err,
            json_mode=args.json,
            show_reasoning=args.show_reasoning,
            dim=_wants_color(err),
        )
        self._stack = ExitStack()
        self.client: OpenRouter | None = None
        self.last_result: OpenResponsesResult | None = None
        self.total: Usage | None = None  # over every answered request of the command

    def __enter__(self) -> Runner:
        try:
            self._open()
        except BaseException:
            self._stack.close()  # e.g. the emulator started but the client could not be built
            raise
        return self

    def _open(self) -> None:
        from openrouter import OpenRouter

        args = self.args
        api_key: str | None = None
        server_url: str | None = args.base_url
        if args.emulator:
            from openrouter.testing import Emulator

            log = (lambda line: print(f"emulator: {line}", file=self.err)) if args.debug else None
            # Any key is accepted, and the user's real key is never sent to it.
            emulator = self._stack.enter_context(Emulator(api_key=None, log=log))
            api_key, server_url = emulator.api_key, emulator.url
        retry_config = None
        if args.no_retry:
            from openrouter.utils import RetryConfig

            retry_config = RetryConfig("none")
        timeout_ms = round(args.timeout * 1000) if args.timeout is not None else None
        self.client = self._stack.enter_context(
            OpenRouter(
                api_key=api_key,
                server_url=server_url,
                timeout_ms=timeout_ms,
                retry_config=retry_config,
            )
        )
        if args.debug:
            import logging

            logging.getLogger("openrouter").debug(
                "model=%s server_url=%s api_key=%s stream=%s",
                self.model,
                self.client.server_url,
                "<set>" if (api_key or os.environ.get("OPENROUTER_API_KEY")) else "<unset>",
                not args.no_stream,
            )

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def ask(
        self, input_value: Any, conversation: Conversation | None = None
    ) -> OpenResponsesResult:
        """Send one request (a turn of ``conversation``, if given), print the answer as it
        arrives, and return the final response.

        Ctrl-C while waiting closes the connection (the generation is cancelled) and re-raises.
        """
        assert self.client is not None
        self.last_result = None
        printer = self.printer
        printer.start()
        params = dict(self.params)
        send: Callable[..., Any]
        if conversation is None:
            send = self.client.responses.send
            params.update(model=self.model, input=input_value)
        else:
            send = functools.partial(conversation.send, input_value)
        if self.args.no_stream:
            result: OpenResponsesResult = send(**params)
            self.last_result = result
            printer.result(result)
            return result
        # An EventStream, or a ConversationStream that adds the turn once read to the end.
        stream: Any = send(stream=True, **params)
        try:
            for event in stream:
                printer.event(event)
            result = stream.get_final_response()
        finally:
            stream.close()
            if not printer.json_mode:
                printer.finish()
        self.last_result = result
        return result

    def report_usage(self) -> None:
        """After an answer: its usage (with ``--usage``), and it joins the session total."""
        from openrouter.usage import Usage

        usage = Usage.of(self.last_result)
        self.total = usage if self.total is None else self.total + usage
        if self.args.usage:
            self.err.write(f"{PROG}: {format_usage(usage)}\n")
            self.err.flush()

    def report_total(self) -> None:
        if self.args.usage and self.total is not None and self.total.requests > 1:
            self.err.write(f"{PROG}: {format_usage(self.total, 'session total')}\n")
            self.err.flush()


def run_once(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    prompt = read_prompt(args.prompt, stdin)
    if not prompt and not args.image and not args.file:
        raise CLIError(
            EXIT_USAGE, f"no prompt: give one as an argument or on stdin (see '{PROG} --help')"
        )
    input_value = user_message(prompt, args.image, args.file)
    with Runner(args, out, err) as runner:
        result = runner.ask(input_value)
        runner.report_usage()
        check_result(result)
    return EXIT_OK


# -- chat --------------------------------------------------------------------------------------


def run_chat(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    interactive = _isatty(stdin)
    read_line: Callable[[str], str]
    if interactive and stdin is sys.stdin:
        with suppress(ImportError):
            import readline  # noqa: F401  # line editing and history for input()
        read_line = input
    else:
        read_line = _line_reader(stdin)
    with Runner(args, out, err) as runner:
        if interactive:
            err.write(
                f"Chatting with {runner.model}. Ctrl-C cancels a reply; Ctrl-D or /exit quits.\n"
            )
            err.flush()
        chat = Chat(runner, interactive)
        code = chat.loop(read_line, " ".join(args.prompt).strip() or None)
        runner.report_total()
    return code


class Chat:
    """The turns of one ``openrouter chat`` session."""

    def __init__(self, runner: Runner, interactive: bool) -> None:
        from openrouter.conversation import Conversation

        assert runner.client is not None
        self.runner = runner
        self.interactive = interactive
        # The model goes here; the other options are passed per turn (see Runner.ask).
        self.conversation = Conversation(runner.client, model=runner.model)
        self.attachments: tuple[Sequence[str], Sequence[str]] = (
            runner.args.image,
            runner.args.file,
        )

    def loop(self, read_line: Callable[[str], str], first: str | None) -> int:
        out = self.runner.out
        prompt = "> " if self.interactive else ""
        while True:
            if first is not None:
                line, first = first, None
                if self.interactive:
                    out.write(f"{prompt}{line}\n")
            else:
                try:
                    line = read_line(prompt)
                except EOFError:
                    if self.interactive:
                        out.write("\n")  # leave the shell prompt on a line of its own
                        out.flush()
                    return EXIT_OK
                except KeyboardInterrupt:
                    # Ctrl-C at the prompt discards the line, as a shell does.
                    out.write("\n")
                    out.flush()
                    continue
            text = line.strip()
            if text in ("/exit", "/quit"):
                return EXIT_OK
            if text:
                code = self.turn(text)
                if code is not None:
                    return code

    def turn(self, text: str) -> int | None:
        """Send one message and print the reply; an exit code ends the session."""
        from openrouter.errors import IncompleteResponseError

        runner, err = self.runner, self.runner.err
        message = user_message(text, *self.attachments)
        self.attachments = ((), ())  # attachments go with the first message only
        try:
            result = runner.ask(message, self.conversation)
            runner.report_usage()
            check_result(result)
        except KeyboardInterrupt:
            # The stream is closed by now, so the conversation left this turn out.
            err.write("[reply cancelled]\n")
            err.flush()
        except IncompleteResponseError as exc:
            # Cut off, but a real (billed) answer: it stays in the conversation.
            err.write(f"{PROG}: warning: {exc.message}\n")
            err.flush()
        except Exception as exc:
            code = exit_code_for(exc)
            report_error(exc, err, runner.args.debug)
            # Without a terminal nobody can react, and a bad key fails every turn.
            if not self.interactive or code in (EXIT_NO_KEY, EXIT_AUTH, EXIT_FAILURE):
                return code
        return None


def _line_reader(stream: TextIO) -> Callable[[str], str]:
    def read(prompt: str) -> str:
        line = stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return read


# -- emulate -----------------------------------------------------------------------------------


def run_emulate(args: argparse.Namespace, err: TextIO) -> int:
    from openrouter.testing import DEFAULT_API_KEY, serve

    api_key = None if args.any_key else (args.api_key or DEFAULT_API_KEY)
    try:
        serve(args.port, args.host, api_key, quiet=args.quiet)
    except OSError as exc:
        raise CLIError(
            EXIT_FAILURE, f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    return EXIT_OK


# -- entry point -------------------------------------------------------------------------------


def report_error(exc: BaseException, err: TextIO, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
    # A cut-off answer has been printed: what is wrong is only that it is partial.
    kind = "warning" if exit_code_for(exc) == EXIT_INCOMPLETE else "error"
    err.write(f"{PROG}: {kind}: {error_message(exc)}\n")
    err.flush()


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``openrouter`` command; returns the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    command, index = split_command(words, parser)
    if command is not None:
        words = words[:index] + words[index + 1 :]
    if command == "emulate":
        parser = build_emulate_parser()
    elif command == "chat":
        parser = build_chat_parser()
    args = parser.parse_args(words)
    debug: bool = getattr(args, "debug", False)
    if command != "emulate" and args.emulator and args.base_url:
        parser.error("--emulator and --base-url cannot be combined")
    _tolerant_output()
    _setup_logging(debug)
    stdin, out, err = sys.stdin, sys.stdout, sys.stderr
    try:
        if command == "emulate":
            return run_emulate(args, err)
        if command == "chat":
            return run_chat(args, stdin, out, err)
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


def _silence_stdout() -> None:
    # Python flushes stdout at exit; with the pipe gone that would print another error.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
