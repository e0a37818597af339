"""``openrouter chat``: an interactive conversation, or one message per line of a pipe."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import TextIO

from openrouter.cli._args import CHAT_COMMANDS
from openrouter.cli._exit import (
    EXIT_AUTH,
    EXIT_FAILURE,
    EXIT_NO_KEY,
    EXIT_OK,
    PROG,
    check_result,
    exit_code_for,
    report_error,
)
from openrouter.cli._output import format_usage, isatty
from openrouter.cli._run import Runner, require_key, user_message


def run_chat(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    interactive = isatty(stdin)
    read_line: Callable[[str], str]
    if interactive and stdin is sys.stdin:
        with suppress(ImportError):
            import readline  # noqa: F401  # line editing and history for input()
        read_line = input
    else:
        read_line = _line_reader(stdin)
    require_key(args)
    with Runner(args, out, err) as runner:
        if interactive:
            err.write(
                f"Chatting with {runner.model}. /help lists commands; Ctrl-C cancels a reply; "
                "Ctrl-D or /exit quits.\n"
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
            if text.startswith("//"):
                text = text[1:]
            elif text.startswith("/"):
                if self.command(text):
                    return EXIT_OK
                continue
            if text:
                code = self.turn(text)
                if code is not None:
                    return code

    def command(self, text: str) -> bool:
        """Run a slash command (never sent to the model); True means leave."""
        from openrouter.conversation import Conversation

        runner, err = self.runner, self.runner.err
        name, _, rest = text.partition(" ")
        rest = rest.strip()
        if name in ("/exit", "/quit"):
            return True
        if name == "/reset":
            assert runner.client is not None
            self.conversation = Conversation(runner.client, model=runner.model)
            err.write("[conversation cleared]\n")
        elif name == "/model" and rest:
            runner.model = self.conversation.model = rest
            err.write(f"[model: {rest}]\n")
        elif name == "/model":
            err.write(f"[model: {runner.model}]\n")
        elif name == "/usage":
            total = runner.total
            line = "no replies yet" if total is None else format_usage(total, "session total")
            err.write(f"[{line}]\n")
        else:
            if name != "/help":
                err.write(f"unknown command {name}; nothing was sent\n")
            err.write(f"commands:\n{CHAT_COMMANDS}\n")
        err.flush()
        return False

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
        except BrokenPipeError:
            raise  # stdout is gone: nothing more can be shown (main exits 141)
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
