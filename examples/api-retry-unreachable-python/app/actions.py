"""アクション生成APIのクライアント（バッチ処理用）。"""

import random
import time

import httpx

API = "http://localhost:3000/api/ai/generate/actions"


def generate_actions(sub_goal_id: str, regenerate: bool = False) -> dict:
    response = httpx.post(API, json={"subGoalId": sub_goal_id, "regenerate": regenerate}, timeout=30)
    if not response.is_success:
        data = response.json() if "json" in response.headers.get("content-type", "") else {}
        raise Exception(data["error"]["message"])
    return response.json()


def generate_actions_with_retry(sub_goal_id: str, max_retries: int = 3) -> dict:
    for attempt in range(max_retries):
        try:
            return generate_actions(sub_goal_id)
        except Exception as error:
            if getattr(error, "retryable", False) and attempt < max_retries - 1:
                time.sleep(random.uniform(0, min(20, 2 ** attempt)))
                continue
            raise
    raise RuntimeError("unreachable")
