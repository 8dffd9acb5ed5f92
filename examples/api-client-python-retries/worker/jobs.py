"""Submits report jobs to the reports API and waits for them."""

import time

import requests
from tenacity import retry, stop_after_attempt, wait_exponential

API = "http://reports-api:8000"


@retry(stop=stop_after_attempt(6), wait=wait_exponential(multiplier=1, max=60))
def submit(payload: dict) -> dict:
    response = requests.post(f"{API}/api/jobs", json=payload, timeout=10)
    body = response.json()
    response.raise_for_status()
    return body


def wait_for(job_id: str) -> dict:
    for attempt in range(8):
        try:
            response = requests.get(f"{API}/api/jobs/{job_id}", timeout=10)
            response.raise_for_status()
            return response.json()
        except requests.RequestException:
            time.sleep(2 ** attempt)
    raise TimeoutError(job_id)
