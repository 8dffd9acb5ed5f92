import json

import boto3
from flask import Flask, request

app = Flask(__name__)
runtime = boto3.client("bedrock-runtime")


@app.post("/embed")
def embed():
    body = json.dumps({"inputText": request.get_data(as_text=True)})
    response = runtime.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=body)
    return json.loads(response["body"].read())
