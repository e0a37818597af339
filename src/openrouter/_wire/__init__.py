"""The wire layer: HTTP requests, retries, timeouts, error mapping and SSE decoding.

Nothing here knows what a response, an event or a tool is; every endpoint's resource builds a
``PreparedRequest`` and hands it to ``BaseClient.request`` / ``request_async``. This package
imports nothing at run time so that importing one of its modules stays cheap.
"""
