"""Fetches the daily report from the reports API."""

import requests

API = "http://reports-api:8000/api/reports/daily"


def daily_report() -> dict:
    response = requests.get(API, timeout=10)
    report = response.json()
    if response.status_code != 200:
        raise RuntimeError(report["error"]["message"])
    return report
