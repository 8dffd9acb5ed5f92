import json
import os

import boto3
from fastapi import FastAPI

app = FastAPI()
bedrock = boto3.client("bedrock-runtime")
MODEL_ID = os.environ["BEDROCK_MODEL_ID"]


@app.post("/api/chat")
def chat(message: dict):
    response = bedrock.converse(
        modelId=MODEL_ID,
        messages=[{"role": "user", "content": [{"text": message["text"]}]}],
    )
    return {"reply": response["output"]["message"]["content"][0]["text"]}
