import boto3
from flask import Flask, jsonify, request

app = Flask(__name__)
client = boto3.client("bedrock-runtime")


@app.post("/complete")
def complete():
    reply = client.converse(
        modelId="us.anthropic.claude-opus-4-1-20250805-v1:0",
        messages=[{"role": "user", "content": [{"text": request.json["prompt"]}]}],
    )
    return jsonify(reply["output"]["message"]["content"][0]["text"])
