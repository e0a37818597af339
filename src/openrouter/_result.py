"""Typed results of successful, read responses: ``/responses`` bodies (shared by ``send`` and
the streams, for a stream request answered with plain JSON) and every other endpoint's."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from openrouter import _json
from openrouter._wire._errors import error_from_response, parse_error_body, status_for_code
from openrouter.errors import ResponseValidationError

if TYPE_CHECKING:
    import httpx

    from openrouter._models import BaseModel
    from openrouter.components._response import OpenResponsesResult

    _M = TypeVar("_M", bound=BaseModel)

__all__ = ["parse_model", "parse_result"]


def parse_result(response: httpx.Response) -> OpenResponsesResult:
    """The typed result of a read, successful, non-streaming response, carrying the
    response's ``X-Generation-Id`` as ``generation_id``.

    A 200 whose body is ``{"error": ...}`` raises the API error its code names.
    """
    from openrouter.components._response import OpenResponsesResult, set_generation_id

    result = parse_model(response, OpenResponsesResult)
    set_generation_id(result, response.headers.get("x-generation-id"))
    return result


def parse_model(response: httpx.Response, cls: type[_M]) -> _M:
    """``response``'s JSON body as ``cls``; a 200 whose body is ``{"error": ...}`` raises the
    API error its code names, any other mismatch ``ResponseValidationError``."""
    from pydantic import ValidationError

    content = response.content
    try:
        # The validator itself: model_validate_json adds a Python frame around it.
        result: _M = cls.__pydantic_validator__.validate_json(content)
        return result
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
            f"The response body is not a valid {cls.__name__}: {exc.error_count()} "
            f"error(s), first: {first['msg']} at {first['loc']}",
            cause=exc,
            status_code=response.status_code,
            headers=response.headers,
            body=response.text,
            raw_response=response,
        ) from exc
