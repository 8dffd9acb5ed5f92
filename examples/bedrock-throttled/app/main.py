import boto3
from fastapi import FastAPI

app = FastAPI()
bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")


@app.post("/draft")
def draft(topic: str):
    out = bedrock.converse(
        modelId="us.anthropic.claude-haiku-4-5-20251001-v1:0",
        messages=[{"role": "user", "content": [{"text": f"Draft a post about {topic}"}]}],
        inferenceConfig={"maxTokens": 2000},
    )
    return {"draft": out["output"]["message"]["content"][0]["text"]}
