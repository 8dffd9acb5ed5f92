"""Pushes inventory changes to the warehouse API."""

import time

import httpx


def push(change: dict) -> None:
    for attempt in range(6):
        try:
            response = httpx.post("http://warehouse:9000/api/changes", json=change, timeout=10)
            response.raise_for_status()
            return
        except httpx.HTTPStatusError as error:
            if error.response.status_code < 500 and error.response.status_code != 429:
                raise
            time.sleep(0.5 * 2 ** attempt)
    raise RuntimeError("change not pushed")
