"""The ``OpenRouter`` client: the wire layer's ``BaseClient`` plus one property per API area.

Importing this module costs almost nothing (no httpx, no pydantic); both load on the first
request, so ``OpenRouter()`` is cheap to construct in scripts, CLIs and serverless cold starts.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from openrouter._wire._base_client import DEFAULT_SERVER_URL, DEFAULT_TIMEOUT_MS, BaseClient

if TYPE_CHECKING:
    from openrouter.resources.api_keys import APIKeys
    from openrouter.resources.credits import Credits
    from openrouter.resources.endpoints import Endpoints
    from openrouter.resources.generations import Generations
    from openrouter.resources.models import Models
    from openrouter.resources.responses import Responses

__all__ = ["DEFAULT_SERVER_URL", "DEFAULT_TIMEOUT_MS", "Beta", "OpenRouter"]


class Beta:
    """The ``client.beta`` namespace, named as in the official SDK."""

    __slots__ = ("responses",)

    def __init__(self, responses: Responses) -> None:
        self.responses = responses


class OpenRouter(BaseClient):
    """Client for OpenRouter's Responses API, sync and async.

    Every argument is optional. ``api_key`` falls back to ``OPENROUTER_API_KEY`` (it may also be
    a callable returning the key, called per request), ``server_url`` to ``OPENROUTER_BASE_URL``
    and then ``https://openrouter.ai/api/v1``, and the app attribution values to
    ``OPENROUTER_HTTP_REFERER``, ``OPENROUTER_X_OPEN_ROUTER_TITLE`` and
    ``OPENROUTER_X_OPEN_ROUTER_CATEGORIES``.

    ``max_event_bytes`` (16 MiB by default) bounds one stream event; a bigger one fails the
    stream with ``errors.StreamError`` instead of being buffered without end.

    ``client`` / ``async_client`` let you pass your own ``httpx.Client`` / ``httpx.AsyncClient``;
    those are never closed by this object. The ones it builds itself are built on first use and
    closed by ``close()`` / ``aclose()`` or the ``with`` / ``async with`` block.
    """

    _responses: Responses | None = None

    @property
    def responses(self) -> Responses:
        """``client.responses`` is the same object as ``client.beta.responses``."""
        if self._responses is None:
            from openrouter.resources.responses import Responses

            self._responses = Responses(self)
        return self._responses

    @property
    def beta(self) -> Beta:
        return Beta(self.responses)

    # The companion endpoints, named as in the official SDK. Each resource module loads on
    # first use; building one is cheap, so a race only builds a spare.

    _models: Models | None = None
    _endpoints: Endpoints | None = None
    _generations: Generations | None = None
    _credits: Credits | None = None
    _api_keys: APIKeys | None = None

    @property
    def models(self) -> Models:
        """The model catalogue: ``list``, ``count``."""
        if self._models is None:
            from openrouter.resources.models import Models

            self._models = Models(self)
        return self._models

    @property
    def endpoints(self) -> Endpoints:
        """The providers serving a model: ``list(author=, slug=)``."""
        if self._endpoints is None:
            from openrouter.resources.endpoints import Endpoints

            self._endpoints = Endpoints(self)
        return self._endpoints

    @property
    def generations(self) -> Generations:
        """A generation's record (exact cost, provider, latency): ``get_generation(id=)``."""
        if self._generations is None:
            from openrouter.resources.generations import Generations

            self._generations = Generations(self)
        return self._generations

    @property
    def credits(self) -> Credits:
        """Credits purchased and used: ``get_credits()``."""
        if self._credits is None:
            from openrouter.resources.credits import Credits

            self._credits = Credits(self)
        return self._credits

    @property
    def api_keys(self) -> APIKeys:
        """The current key's limit and usage: ``get_current_key_metadata()``."""
        if self._api_keys is None:
            from openrouter.resources.api_keys import APIKeys

            self._api_keys = APIKeys(self)
        return self._api_keys

    def __enter__(self) -> OpenRouter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> OpenRouter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        key = "set" if self._api_key else "unset"
        return f"OpenRouter(server_url={self.server_url!r}, api_key=<{key}>)"
