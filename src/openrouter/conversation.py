"""A conversation kept client-side: the Responses API is stateless, so every turn resends the
history, and ``Conversation`` keeps that history for you.

::

    conv = Conversation(client, model="openai/gpt-4o", instructions="Be brief.")
    conv.send("Hi, I'm Ada.")
    res = conv.send("What's my name?")        # the whole history is sent
    print(res.output_text, conv.usage.cost)
    saved = conv.to_json()                   # persist ...
    conv = Conversation.from_json(saved, client)   # ... and restore

History (``conv.items``): your inputs, then each response's output items as received
(assistant messages with ``id`` and ``status``, reasoning items with their
``encrypted_content`` when ``include=["reasoning.encrypted_content"]``, function calls) and
function call outputs. A turn is committed only when it succeeds: a request that raises, a
stream that breaks or is closed early, and a ``failed`` response leave the history as it was.
An ``incomplete`` response (e.g. ``max_output_tokens``) is a real, billed answer and is
committed. Every request carries the conversation's ``session_id`` (sticky routing, so the
provider's prompt cache keeps hitting).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from openrouter._wrapped_stream import WrappedStream, WrappedStreamAsync
from openrouter.components import OpenResponsesResult, OutputFunctionCallItem
from openrouter.errors import raise_if_failed
from openrouter.tools import (
    OnToolError,
    ToolLike,
    ToolRun,
    ToolRunResult,
    ToolRunStream,
    ToolRunStreamAsync,
    as_items,
    drive,
    drive_async,
    start_run,
    unanswered_calls,
)
from openrouter.tools._definition import check_context, split_tools
from openrouter.tools._state import decode_params, encode_params, restore_item
from openrouter.usage import Usage

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openrouter._client import OpenRouter
    from openrouter._params import HelperSendParams, SharedSendParams
    from openrouter.tools._options import ToolRunOptions

__all__ = ["Conversation", "ConversationStream", "ConversationStreamAsync"]

FORMAT_VERSION = 1


class ConversationStream(WrappedStream):
    """``conv.send(..., stream=True)``: the response's events. The turn is added to the history
    when the stream has been read to its end successfully (iterate it, or call
    ``get_final_response()``); closing it early or an error leaves the history unchanged."""


class ConversationStreamAsync(WrappedStreamAsync):
    """The async form of ``ConversationStream``."""


class Conversation:
    """A multi-turn conversation whose history is kept here and resent on every turn.

    ``model``, ``instructions``, ``include``, ``tools`` and ``default_params`` (any other
    ``send`` parameter) apply to every turn; a turn's own keyword arguments override them.
    ``session_id`` defaults to a fresh ``uuid4().hex``. ``items`` starts the history.
    ``context`` is the default ``context=`` of its tool runs (tool parameters of its type are
    left out of the tools sent with every turn); like tools, it is not saved.
    """

    def __init__(
        self,
        client: OpenRouter,
        *,
        model: str | None = None,
        instructions: str | None = None,
        session_id: str | None = None,
        include: Sequence[str] | None = None,
        tools: Sequence[ToolLike] | None = None,
        items: Iterable[Any] | None = None,
        context: Any = None,
        **default_params: Unpack[SharedSendParams],
    ) -> None:
        self.client = client
        self.context = context
        self.model = model
        self.instructions = instructions
        self.session_id = session_id or uuid.uuid4().hex
        self.include = list(include) if include is not None else None
        self.tools: list[ToolLike] = list(tools or ())
        self.default_params: dict[str, Any] = dict(default_params)
        self._items: list[Any] = list(items or ())
        self.usage = Usage()
        """Tokens and cost summed over every committed turn."""
        self.responses: list[OpenResponsesResult] = []
        """The responses of this object's committed turns (not persisted by ``to_json``)."""

    # -- history -------------------------------------------------------------------------

    @property
    def items(self) -> list[Any]:
        """A copy of the history; assign a list to replace it (e.g. to drop old turns)."""
        return list(self._items)

    @items.setter
    def items(self, value: Iterable[Any]) -> None:
        self._items = list(value)

    def add(self, *items: Any) -> None:
        """Append items without sending (few-shot examples, ``function_call_output``s ...)."""
        for item in items:
            self._items.extend(as_items(item))

    @property
    def last_response(self) -> OpenResponsesResult | None:
        return self.responses[-1] if self.responses else None

    @property
    def pending_tool_calls(self) -> list[OutputFunctionCallItem]:
        """Function calls in the history that no ``function_call_output`` answers yet
        (``run_tools()`` runs them first)."""
        return unanswered_calls(self._items)

    def __repr__(self) -> str:
        return (
            f"Conversation(model={self.model!r}, session_id={self.session_id!r}, "
            f"items={len(self._items)}, turns={self.usage.requests})"
        )

    # -- requests ------------------------------------------------------------------------

    def _params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.model is not None:
            out["model"] = self.model
        if self.instructions is not None:
            out["instructions"] = self.instructions
        if self.include is not None:
            out["include"] = self.include
        out.update(self.default_params)
        out["session_id"] = self.session_id
        out.update(params)
        return out

    def _turn(
        self, input: Any, params: Mapping[str, Any]
    ) -> tuple[dict[str, Any], Callable[[OpenResponsesResult], None]]:
        new = as_items(input) if input is not None else []
        base = len(self._items)
        request = self._params(params)
        definitions = split_tools(self.tools, check_context(self.context))[1]
        if definitions:
            request["tools"] = definitions
        request["input"] = [*self._items, *new]

        def commit(response: OpenResponsesResult) -> None:
            raise_if_failed(response)
            self._check_unchanged(base)
            self._items.extend(new)
            self._items.extend(response.output)
            self._record([response], Usage.of(response))

        return request, commit

    def _check_unchanged(self, base: int) -> None:
        if len(self._items) != base:
            raise RuntimeError(
                "The conversation changed while this turn was in flight (two turns at once?); "
                "this turn was not added"
            )

    def _record(self, responses: list[OpenResponsesResult], usage: Usage) -> None:
        self.responses.extend(responses)
        self.usage = self.usage + usage

    @overload
    def send(
        self,
        input: Any = None,
        *,
        stream: Literal[False] = False,
        **params: Unpack[HelperSendParams],
    ) -> OpenResponsesResult: ...
    @overload
    def send(
        self, input: Any = None, *, stream: Literal[True], **params: Unpack[HelperSendParams]
    ) -> ConversationStream: ...
    @overload
    def send(
        self, input: Any = None, *, stream: bool, **params: Unpack[HelperSendParams]
    ) -> OpenResponsesResult | ConversationStream: ...

    def send(
        self, input: Any = None, *, stream: bool = False, **params: Any
    ) -> OpenResponsesResult | ConversationStream:
        """Send the next turn: ``input`` is a string (a user message), an item (e.g.
        ``inputs.user(...)``), a list of items, or ``None`` (send the history as it is).

        With ``stream=True`` returns a ``ConversationStream``; the turn is committed when it
        has been read to the end.
        """
        request, commit = self._turn(input, params)
        responses = self.client.responses
        if stream:
            return ConversationStream(responses.send(stream=True, **request), on_final=commit)
        response: OpenResponsesResult = responses.send(**request)
        commit(response)
        return response

    @overload
    async def send_async(
        self,
        input: Any = None,
        *,
        stream: Literal[False] = False,
        **params: Unpack[HelperSendParams],
    ) -> OpenResponsesResult: ...
    @overload
    async def send_async(
        self, input: Any = None, *, stream: Literal[True], **params: Unpack[HelperSendParams]
    ) -> ConversationStreamAsync: ...
    @overload
    async def send_async(
        self, input: Any = None, *, stream: bool, **params: Unpack[HelperSendParams]
    ) -> OpenResponsesResult | ConversationStreamAsync: ...

    async def send_async(
        self, input: Any = None, *, stream: bool = False, **params: Any
    ) -> OpenResponsesResult | ConversationStreamAsync:
        """The async form of ``send``."""
        request, commit = self._turn(input, params)
        responses = self.client.responses
        if stream:
            inner = await responses.send_async(stream=True, **request)
            return ConversationStreamAsync(inner, on_final=commit)
        response: OpenResponsesResult = await responses.send_async(**request)
        commit(response)
        return response

    # -- tools ---------------------------------------------------------------------------

    def _tool_run(
        self,
        input: Any,
        tools: Sequence[ToolLike] | None,
        max_turns: int,
        on_tool_error: OnToolError,
        params: Mapping[str, Any],
    ) -> tuple[ToolRun, Callable[[ToolRunResult], None]]:
        new = as_items(input) if input is not None else []
        base = len(self._items)
        request = self._params(params)
        if self.context is not None:
            request.setdefault("context", self.context)
        run = start_run(
            self.tools if tools is None else tools,
            [*self._items, *new],
            max_turns=max_turns,
            on_tool_error=on_tool_error,
            params=request,
            resumable=False,
        )

        def commit(result: ToolRunResult) -> None:
            self._check_unchanged(base)
            self._items.extend(result.items[base:])
            self._record(result.responses, result.usage)

        return run, commit

    @overload
    def run_tools(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[False] = False,
        **params: Unpack[ToolRunOptions],
    ) -> ToolRunResult: ...
    @overload
    def run_tools(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[True],
        **params: Unpack[ToolRunOptions],
    ) -> ToolRunStream: ...
    @overload
    def run_tools(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool,
        **params: Unpack[ToolRunOptions],
    ) -> ToolRunResult | ToolRunStream: ...

    def run_tools(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool = False,
        **params: Any,
    ) -> ToolRunResult | ToolRunStream:
        """Send the next turn and run tools until the model answers (see
        ``Responses.run_tools``, with the same agent options but ``resume``); ``tools``
        defaults to the conversation's. Unanswered calls already in the history run first.
        The whole run is committed when it succeeds, also when a stop condition ends it or
        it pauses for approvals: the waiting calls stay in the history
        (``pending_tool_calls``), and ``run_tools(approve=[...], reject=[...])`` resumes."""
        run, commit = self._tool_run(input, tools, max_turns, on_tool_error, params)
        if stream:
            return ToolRunStream(self.client.responses.send, run, on_result=commit)
        result = drive(self.client.responses.send, run)
        commit(result)
        return result

    @overload
    async def run_tools_async(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[False] = False,
        **params: Unpack[ToolRunOptions],
    ) -> ToolRunResult: ...
    @overload
    async def run_tools_async(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[True],
        **params: Unpack[ToolRunOptions],
    ) -> ToolRunStreamAsync: ...
    @overload
    async def run_tools_async(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool,
        **params: Unpack[ToolRunOptions],
    ) -> ToolRunResult | ToolRunStreamAsync: ...

    async def run_tools_async(
        self,
        input: Any = None,
        *,
        tools: Sequence[ToolLike] | None = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool = False,
        **params: Any,
    ) -> ToolRunResult | ToolRunStreamAsync:
        """The async form of ``run_tools`` (the calls of one reply run concurrently)."""
        run, commit = self._tool_run(input, tools, max_turns, on_tool_error, params)
        if stream:
            return ToolRunStreamAsync(self.client.responses.send_async, run, on_result=commit)
        result = await drive_async(self.client.responses.send_async, run)
        commit(result)
        return result

    # -- persistence ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The conversation as JSON-ready data: settings, history and usage.

        Tools are code and are not saved: pass them again to ``from_dict``/``from_json``.
        ``retries`` is saved as its settings and restored as a ``RetryConfig``. Raises
        ``TypeError`` if another default parameter cannot be written as JSON; pass such
        parameters again when restoring.
        """
        from openrouter._wire._request import encode_json

        params = encode_params(self.default_params)
        return {
            "version": FORMAT_VERSION,
            "session_id": self.session_id,
            "model": self.model,
            "instructions": self.instructions,
            "include": self.include,
            "default_params": params,
            "items": json.loads(encode_json({"items": self._items}))["items"],
            "usage": self.usage.to_dict(),
        }

    def to_json(self, **dumps_kwargs: Any) -> str:
        """``to_dict()`` as a JSON string (``json.dumps`` options pass through)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **dumps_kwargs)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        client: OpenRouter,
        *,
        tools: Sequence[ToolLike] | None = None,
        context: Any = None,
        **default_params: Unpack[SharedSendParams],
    ) -> Conversation:
        """Restore a conversation saved by ``to_dict``; ``default_params`` add to (and
        override) the saved ones. Tools and the context are code: pass them again."""
        version = data.get("version")
        if version != FORMAT_VERSION:
            raise ValueError(f"Unsupported conversation format version {version!r}")
        conv = cls(
            client,
            model=data.get("model"),
            instructions=data.get("instructions"),
            session_id=data.get("session_id"),
            include=data.get("include"),
            tools=tools,
            items=[restore_item(item) for item in data.get("items", ())],
            context=context,
        )
        saved = decode_params(data.get("default_params") or {})
        conv.default_params = {**saved, **default_params}
        conv.usage = Usage.from_dict(data.get("usage") or {})
        return conv

    @classmethod
    def from_json(
        cls,
        data: str | bytes | Mapping[str, Any],
        client: OpenRouter,
        *,
        tools: Sequence[ToolLike] | None = None,
        context: Any = None,
        **default_params: Unpack[SharedSendParams],
    ) -> Conversation:
        """Restore a conversation saved by ``to_json`` (a JSON string, or the parsed dict)."""
        parsed = data if isinstance(data, Mapping) else json.loads(data)
        return cls.from_dict(parsed, client, tools=tools, context=context, **default_params)
