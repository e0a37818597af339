"""Function tools from plain Python functions, and the loop that runs them.

::

    def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, object]:
        \"\"\"Current weather for a city.

        Args:
            city: The city name, e.g. "Paris".
            unit: Temperature unit.
        \"\"\"
        return {"city": city, "temperature": 21, "unit": unit}

    result = client.responses.run_tools(model="openai/gpt-4o", input="Weather in Paris?",
                                        tools=[get_weather])
    print(result.output_text, result.usage.cost)

A function becomes a ``function`` tool: its name, the first paragraph of its docstring as the
description, and a JSON schema of its parameters built by pydantic from the type hints (with
per-parameter descriptions from an ``Args:``/``Parameters`` section or ``:param x:`` lines).
The model's ``arguments`` (a JSON string) are validated into those types before the call.
A pydantic model works too (``Tool.from_model(Model, handler)``: the handler gets the
validated model).

The loop (``run_tools`` / ``run_tools_async``, also ``stream=True``) sends the request, runs
every ``function_call`` of the reply, appends the reply's output items (reasoning items exactly
as received) and one ``function_call_output`` per call (same ``call_id``) to the history, and
sends it all again, until the model answers without calls (``ToolRunResult``) or ``max_turns``
requests were made (``MaxTurnsExceededError``, carrying the history). The calls of one reply
run concurrently (threads in the sync loop; tasks in the async one).

Agent runs: ``stop_when=`` conditions (``step_count_is``, ``max_cost``, ``max_tokens_used``,
``has_tool_call``, ``finish_reason_is`` or any function of the run) end a run early;
``requires_approval`` tools pause it (``ToolRunState``, JSON, resumable elsewhere);
``context=`` reaches the tool parameters annotated with its type; ``on_turn_start`` /
``on_turn_end`` hooks see the run and change the next requests' parameters.

Inside: ``_docstrings`` (docstring parsing), ``_definition`` (``Tool`` and the schema of its
parameters), ``_execution`` (one call's outcome), ``_stop`` (stop conditions), ``_state`` (the
JSON state), ``_run`` (the I/O-free state machine of a run), ``_options`` (``run_tools``'
options), ``_drivers`` and ``_streams`` (the loops that send, given a ``send`` callable shaped
like ``Responses.send``).
"""

from openrouter.tools._definition import (
    ApprovalRule,
    ArgumentsError,
    Tool,
    ToolLike,
    tool,
    tool_definitions,
)
from openrouter.tools._docstrings import parse_docstring
from openrouter.tools._drivers import drive as drive
from openrouter.tools._drivers import drive_async as drive_async
from openrouter.tools._execution import CallRejected, ToolExecution
from openrouter.tools._options import start_run as start_run
from openrouter.tools._run import OnToolError, ToolRun, ToolRunResult, TurnHook
from openrouter.tools._run import as_items as as_items
from openrouter.tools._run import unanswered_calls as unanswered_calls
from openrouter.tools._send import Send as Send
from openrouter.tools._send import SendAsync as SendAsync
from openrouter.tools._state import Decision, ToolRunState
from openrouter.tools._stop import (
    StopCondition,
    StopWhen,
    finish_reason,
    finish_reason_is,
    has_tool_call,
    max_cost,
    max_tokens_used,
    step_count_is,
)
from openrouter.tools._streams import ToolCallDelta, ToolRunStream, ToolRunStreamAsync
from openrouter.tools._streams import ToolRunEvent as ToolRunEvent

# ``drive``/``drive_async``, ``start_run``, ``as_items``, ``unanswered_calls``,
# ``ToolRunEvent`` and the ``Send`` protocols are importable for building your own loop, but
# stay out of ``*``.
__all__ = [
    "ApprovalRule",
    "ArgumentsError",
    "CallRejected",
    "Decision",
    "OnToolError",
    "StopCondition",
    "StopWhen",
    "Tool",
    "ToolCallDelta",
    "ToolExecution",
    "ToolLike",
    "ToolRun",
    "ToolRunResult",
    "ToolRunState",
    "ToolRunStream",
    "ToolRunStreamAsync",
    "TurnHook",
    "finish_reason",
    "finish_reason_is",
    "has_tool_call",
    "max_cost",
    "max_tokens_used",
    "parse_docstring",
    "step_count_is",
    "tool",
    "tool_definitions",
]
