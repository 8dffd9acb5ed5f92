#!/usr/bin/env python3
"""Writes an API project of N source files for bench/api.sh: one file in ten
is a server route (Express or FastAPI, alternately) that answers
`VALIDATION_ERROR` with 422 where the catalogue documents 400; of the rest,
half are TypeScript fetch wrappers (each parses the body before checking the
status, throws, and is retried by a loop with an unjittered backoff) and
half Python `requests` clients with a hand-written retry loop that sleeps
`2 ** attempt`; plus one English error catalogue.
Usage: gen_api_project.py DIR N"""
import os
import sys

CONTRACT = """# API errors

Every error is `{"error": {"code": "X", "message": "m", "retryable": false}}`.

### RATE_LIMITED

- **HTTP status**: 429 Too Many Requests
- **Retryable**: Yes

### VALIDATION_ERROR

- **HTTP status**: 400 Bad Request
- **Retryable**: No

### INTERNAL_ERROR

- **HTTP status**: 500 Internal Server Error
- **Retryable**: Yes
"""

TS = """export async function call{i}(body: unknown): Promise<unknown> {{
  const response = await fetch('/api/items/{i}', {{ method: 'POST', body: JSON.stringify(body) }});
  const data = await response.json();
  if (!response.ok) {{
    throw new Error(data.error.message);
  }}
  return data;
}}

export async function call{i}WithRetry(body: unknown, attempts = 3): Promise<unknown> {{
  for (let attempt = 0; attempt < attempts; attempt++) {{
    try {{
      return await call{i}(body);
    }} catch (error: any) {{
      if (!error.error?.retryable || attempt === attempts - 1) {{
        throw error;
      }}
      await new Promise((r) => setTimeout(r, Math.pow(2, attempt) * 1000));
    }}
  }}
}}
"""

PY = """import time
import requests


def call_{i}(body):
    for attempt in range(3):
        response = requests.post("http://api/items/{i}", json=body, timeout=5)
        data = response.json()
        if response.ok:
            return data
        if response.status_code in (400, 500):
            time.sleep(2 ** attempt)
            continue
        raise RuntimeError(data["error"]["message"])
"""


EXPRESS = """import express from 'express';

export const router{i} = express.Router();

router{i}.post('/api/items/{i}', (req, res) => {{
  if (!req.body?.name) {{
    return res.status(422).json({{ error: {{ code: 'VALIDATION_ERROR', message: 'name is required', retryable: false }} }});
  }}
  return res.status(201).json({{ id: {i} }});
}});
"""

FASTAPI = """from fastapi import APIRouter
from fastapi.responses import JSONResponse

router = APIRouter()


@router.post("/api/items/{i}")
def create_{i}(body: dict):
    if "name" not in body:
        return JSONResponse(status_code=422, content={{"error": {{"code": "VALIDATION_ERROR", "message": "name is required", "retryable": False}}}})
    return {{"id": {i}}}
"""


def main():
    root, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(os.path.join(root, "docs"), exist_ok=True)
    with open(os.path.join(root, "docs", "errors.md"), "w") as f:
        f.write(CONTRACT)
    for i in range(count):
        folder = os.path.join(root, "src", f"m{i // 100}")
        os.makedirs(folder, exist_ok=True)
        if i % 10 == 0:
            name, text = f"route{i}.ts", EXPRESS.format(i=i)
        elif i % 10 == 5:
            name, text = f"route_{i}.py", FASTAPI.format(i=i)
        elif i % 2 == 0:
            name, text = f"client{i}.ts", TS.format(i=i)
        else:
            name, text = f"client_{i}.py", PY.format(i=i)
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)


main()
