"""Running one request: building it from the options, sending it, printing the answer."""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, TextIO

from openrouter.cli._args import DEFAULT_MODEL
from openrouter.cli._connect import open_client
from openrouter.cli._exit import EXIT_OK, EXIT_USAGE, PROG, CLIError, check_result
from openrouter.cli._output import Printer, format_usage, isatty, wants_color

if TYPE_CHECKING:
    from openrouter._client import OpenRouter
    from openrouter.components import OpenResponsesResult
    from openrouter.conversation import Conversation
    from openrouter.usage import Usage


def read_prompt(words: Sequence[str], stdin: TextIO | None) -> str:
    """The prompt words, with piped stdin appended as context (or alone)."""
    prompt = " ".join(words).strip()
    piped = ""
    if stdin is not None and not isatty(stdin):
        piped = stdin.read().strip()
    if prompt and piped:
        return f"{prompt}\n\n{piped}"
    return prompt or piped


def _attachment(kind: str, spec: str) -> Any:
    """An ``input_image`` / ``input_file`` part; a bad path is a usage error, not a crash."""
    from openrouter import inputs

    build = inputs.input_image if kind == "image" else inputs.input_file
    try:
        return build(spec)
    except (OSError, ValueError) as exc:
        if kind == "image" and not isinstance(exc, OSError):
            # A readable file that is not an image: most likely a PDF or text meant for --file.
            raise CLIError(EXIT_USAGE, _not_an_image(spec)) from None
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        where = f"--{kind}" if spec in reason else f"--{kind} {spec}"
        raise CLIError(EXIT_USAGE, f"{where}: {reason}") from None


def _not_an_image(spec: str) -> str:
    from openrouter.inputs import guess_mime_type

    with open(spec, "rb") as f:
        mime = guess_mime_type(f.read(16), os.path.basename(spec))
    looks = f" (it looks like {mime})" if mime else ""
    return f"--image {spec}: not an image{looks}; to attach other files use --file {spec}"


def require_key(args: argparse.Namespace) -> None:
    """Fail now, not after the first message is typed, when no key is set (and none is needed
    with ``--emulator``)."""
    if args.emulator or os.environ.get("OPENROUTER_API_KEY", "").strip():
        return
    from openrouter.errors import MissingAPIKeyError

    raise MissingAPIKeyError("OPENROUTER_API_KEY is not set")


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


def model_for(args: argparse.Namespace) -> str:
    model: str = args.model or os.environ.get("OPENROUTER_MODEL") or DEFAULT_MODEL
    return model


class Runner:
    """A configured client (and emulator, with ``--emulator``) for the whole command."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.model = model_for(args)
        self.params = request_params(args)
        self.printer = Printer(
            out,
            err,
            json_mode=args.json,
            show_reasoning=args.show_reasoning,
            dim=wants_color(err),
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
        args = self.args
        self.client = open_client(args, self._stack, self.err)
        if args.debug:
            import logging

            logging.getLogger("openrouter").debug(
                "model=%s server_url=%s api_key=%s stream=%s",
                self.model,
                self.client.server_url,
                "<set>" if (args.emulator or os.environ.get("OPENROUTER_API_KEY")) else "<unset>",
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
        _allow_echo(self.client, input_value)
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
        # The request is sent: a prompt of megabytes need not stay alive here while the
        # answer (maybe as long) streams.
        del params, send, input_value
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
        if self.args.usage and self.client is not None and self.last_result is not None:
            usage = completed_from_record(self.client, self.last_result, usage)
        self.total = usage if self.total is None else self.total + usage
        if self.args.usage:
            self.err.write(f"{PROG}: {format_usage(usage)}\n")
            self.err.flush()

    def report_total(self) -> None:
        if self.args.usage and self.total is not None and self.total.requests > 1:
            self.err.write(f"{PROG}: {format_usage(self.total, 'session total')}\n")
            self.err.flush()


def event_bound(text_bytes: int) -> int:
    """The largest stream event the command accepts for an input of ``text_bytes``.

    An answer that repeats its input (the emulator's echo, a model asked to rewrite a document)
    carries the whole text twice in its final events (the message and ``output_text``), JSON
    escaped: up to six bytes per byte of text for any character but the rare control ones.
    """
    return 8 * text_bytes + (1 << 20)


def _allow_echo(client: OpenRouter, input_value: Any) -> None:
    # The SDK's bound on one event (16 MiB) protects a library from a runaway server; a user
    # who sends a 20 MB prompt expects its echo to come back, so the command lets the bound
    # grow with what it sends (never below the SDK's default).
    bound = event_bound(_text_bytes(input_value))
    if bound > client.max_event_bytes:
        client.max_event_bytes = bound


def _text_bytes(value: Any) -> int:
    """UTF-8 bytes of the text in one turn's input: a string, or what ``user_message`` built
    (a message whose content is a string or parts, some with ``text``)."""
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, (list, tuple)):
        return sum(_text_bytes(item) for item in value)
    for name in ("content", "text"):
        inner = getattr(value, name, None)
        if isinstance(inner, (str, list)):
            return _text_bytes(inner)
    return 0


def completed_from_record(client: OpenRouter, result: OpenResponsesResult, usage: Usage) -> Usage:
    """``usage``, with the cost (and tokens) the generation record has when the response
    itself did not carry them. The record can lag the response briefly: asked a few times."""
    if usage.requests_with_cost or not result.generation_id:
        return usage
    import dataclasses
    import time

    from openrouter import errors

    record = None
    for attempt in range(3):
        try:
            record = client.generations.get_generation(id=result.generation_id).data
            break
        except errors.NotFoundResponseError:
            time.sleep(0.5 * (attempt + 1))
        except errors.OpenRouterSDKError:
            break  # the answer is printed already; a missing cost is not worth a failure
    if record is None:
        return usage
    filled = dataclasses.replace(usage, cost=record.total_cost, requests_with_cost=usage.requests)
    if usage.requests_with_usage:
        return filled
    prompt = record.tokens_prompt or 0
    completion = record.tokens_completion or 0
    return dataclasses.replace(
        filled,
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=prompt + completion,
        reasoning_tokens=record.native_tokens_reasoning or 0,
        cached_tokens=record.native_tokens_cached or 0,
        requests_with_usage=usage.requests,
    )


def run_once(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    prompt = read_prompt(args.prompt, stdin)
    if not prompt and not args.image and not args.file:
        raise CLIError(
            EXIT_USAGE, f"no prompt: give one as an argument or on stdin (see '{PROG} --help')"
        )
    # Handed over rather than kept in this frame (see Runner.ask: a long prompt is let go of
    # once sent).
    inputs = [user_message(prompt, args.image, args.file)]
    del prompt
    with Runner(args, out, err) as runner:
        result = runner.ask(inputs.pop())
        runner.report_usage()
        check_result(result)
    return EXIT_OK
