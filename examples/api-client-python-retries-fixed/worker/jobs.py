"""Submits report jobs to the reports API and waits for them."""

import random
import time

import requests
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

API = "http://reports-api:8000"
RETRYABLE_STATUSES = (408, 425, 429, 500, 502, 503, 504)


def retryable(error: BaseException) -> bool:
    response = getattr(error, "response", None)
    return response is None or response.status_code in RETRYABLE_STATUSES


@retry(
    stop=stop_after_attempt(6),
    wait=wait_random_exponential(multiplier=1, max=60),
    retry=retry_if_exception(retryable),
)
def submit(payload: dict) -> dict:
    response = requests.post(f"{API}/api/jobs", json=payload, timeout=10)
    response.raise_for_status()
    return response.json()


def wait_for(job_id: str) -> dict:
    for attempt in range(8):
        try:
            response = requests.get(f"{API}/api/jobs/{job_id}", timeout=10)
            response.raise_for_status()
            return response.json()
        except requests.RequestException as error:
            if not retryable(error):
                raise
            time.sleep(random.uniform(0, min(20, 2 ** attempt)))
    raise TimeoutError(job_id)
