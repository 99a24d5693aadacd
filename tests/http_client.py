"""A small HTTP client for the tests that drive a running service (end to end, in a
container): one request, its status, headers and body, error statuses included."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    method: str,
    url: str,
    body: str | None = None,
    content_type: str = "application/json",
    timeout: float = 5,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Send one request; a 4xx or 5xx answer is a Response too, never an exception
    (a connection that fails still raises OSError)."""
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, _lower(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, _lower(err.headers.items()), err.read())


def _lower(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}
