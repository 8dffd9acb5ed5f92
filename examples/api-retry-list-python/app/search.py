"""Runs saved searches against the search API."""

import random
import time

import requests

API = "http://search-api:8080/api/search"


def search(query: str) -> dict:
    for attempt in range(4):
        response = requests.get(API, params={"q": query}, timeout=10)
        if response.ok:
            return response.json()
        body = response.json() if "json" in response.headers.get("content-type", "") else {}
        code = body.get("error", {}).get("code")
        if code in ("RATE_LIMITED", "INVALID_QUERY"):
            time.sleep(random.uniform(0, min(20, 2 ** attempt)))
            continue
        raise RuntimeError(f"search failed: {code or response.status_code}")
    raise RuntimeError("search failed after retries")
