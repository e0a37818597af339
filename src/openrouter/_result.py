"""The typed result of a non-streaming ``/responses`` body, shared by ``send`` and the streams
(a stream request answered with plain JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openrouter import _json
from openrouter._wire._errors import error_from_response, parse_error_body, status_for_code
from openrouter.errors import ResponseValidationError

if TYPE_CHECKING:
    import httpx

    from openrouter.components import OpenResponsesResult

__all__ = ["parse_result"]


def parse_result(response: httpx.Response) -> OpenResponsesResult:
    """The typed result of a read, successful, non-streaming response.

    A 200 whose body is ``{"error": ...}`` raises the API error its code names.
    """
    from pydantic import ValidationError

    from openrouter.components import OpenResponsesResult

    content = response.content
    try:
        return OpenResponsesResult.model_validate_json(content)
    except ValidationError as exc:
        try:
            body = _json.loads(content)
        except ValueError:
            body = None
        data = parse_error_body(body) if isinstance(body, dict) and "error" in body else None
        if data is not None:
            status = status_for_code(data.code) or response.status_code
            raise error_from_response(response, status_code=status) from None
        first = exc.errors()[0]
        raise ResponseValidationError(
            f"The response body is not a valid OpenResponsesResult: {exc.error_count()} "
            f"error(s), first: {first['msg']} at {first['loc']}",
            cause=exc,
            status_code=response.status_code,
            headers=response.headers,
            body=response.text,
            raw_response=response,
        ) from exc
