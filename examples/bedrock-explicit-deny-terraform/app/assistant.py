import boto3
from flask import Flask, jsonify, request

app = Flask(__name__)
bedrock = boto3.client("bedrock-runtime", region_name="ap-northeast-1")

MODEL_ID = "jp.anthropic.claude-sonnet-4-5-20250929-v1:0"


@app.post("/ask")
def ask():
    reply = bedrock.converse(
        modelId=MODEL_ID,
        messages=[{"role": "user", "content": [{"text": request.json["question"]}]}],
        inferenceConfig={"maxTokens": 400},
    )
    return jsonify(answer=reply["output"]["message"]["content"][0]["text"])
