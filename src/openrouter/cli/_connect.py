"""The client every command uses: the key, base URL, retries and timeout the options ask for,
or the built-in emulator with ``--emulator``."""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from openrouter._client import OpenRouter


def open_client(args: argparse.Namespace, stack: ExitStack, err: TextIO) -> OpenRouter:
    """An ``OpenRouter`` client (and emulator, with ``--emulator``) closed with ``stack``."""
    from openrouter import OpenRouter

    api_key: str | None = None
    server_url: str | None = args.base_url
    if args.emulator:
        from openrouter.testing import Emulator

        log = (lambda line: print(f"emulator: {line}", file=err)) if args.debug else None
        # Any key is accepted, and the user's real key is never sent to it. Nothing reads its
        # request records: kept, they would hold every prompt (a chat's whole history, once
        # per turn) until the command ends.
        emulator = stack.enter_context(Emulator(api_key=None, log=log, record_requests=False))
        api_key, server_url = emulator.api_key, emulator.url
    retry_config = None
    if args.no_retry:
        from openrouter.utils import RetryConfig

        retry_config = RetryConfig("none")
    timeout_ms = round(args.timeout * 1000) if args.timeout is not None else None
    return stack.enter_context(
        OpenRouter(
            api_key=api_key,
            server_url=server_url,
            timeout_ms=timeout_ms,
            retry_config=retry_config,
        )
    )
