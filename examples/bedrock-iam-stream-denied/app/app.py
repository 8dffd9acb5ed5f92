import os

import boto3
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

api = FastAPI()
runtime = boto3.client("bedrock-runtime")


class Prompt(BaseModel):
    text: str


@api.post("/chat")
def chat(prompt: Prompt):
    stream = runtime.converse_stream(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": prompt.text}]}],
    )

    def tokens():
        for event in stream["stream"]:
            delta = event.get("contentBlockDelta", {}).get("delta", {})
            if "text" in delta:
                yield delta["text"]

    return StreamingResponse(tokens(), media_type="text/plain")
