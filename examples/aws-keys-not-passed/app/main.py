import os

import boto3
from fastapi import FastAPI, HTTPException

app = FastAPI()
client = boto3.client("bedrock-runtime")


@app.get("/summary")
def summary(text: str):
    try:
        out = client.converse(
            modelId=os.environ["MODEL_ID"],
            messages=[{"role": "user", "content": [{"text": f"Summarize: {text}"}]}],
        )
    except Exception as exc:
        raise HTTPException(status_code=500, detail=str(exc))
    return {"summary": out["output"]["message"]["content"][0]["text"]}
