import json
import os
from typing import List

import boto3
from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI(title="Bedrock UI API")

app.add_middleware(
    CORSMiddleware,
    allow_origins=os.getenv("CORS_ORIGINS", "*").split(","),
    allow_methods=["*"],
    allow_headers=["*"],
)

AWS_REGION = os.getenv("AWS_REGION", "us-east-1")
MODEL_ID = os.getenv("BEDROCK_MODEL_ID", "anthropic.claude-3-sonnet-20240229-v1:0")

bedrock_runtime = None
try:
    print(f"Initializing Bedrock client in region: {AWS_REGION}")
    bedrock_runtime = boto3.client("bedrock-runtime", region_name=AWS_REGION)
    print("✓ Bedrock client initialized successfully")
except Exception as e:
    print(f"✗ Failed to initialize Bedrock client: {e}")


class Message(BaseModel):
    role: str
    content: str


class ChatRequest(BaseModel):
    message: str
    conversation_history: List[Message] = []


@app.get("/")
def root():
    return {
        "message": "Bedrock UI API is running",
        "region": AWS_REGION,
        "bedrock_client": "initialized" if bedrock_runtime else "not initialized",
    }


@app.get("/health")
def health():
    return {"status": "healthy"}


@app.post("/api/chat")
def chat(request: ChatRequest):
    if bedrock_runtime is None:
        raise HTTPException(status_code=500, detail="Bedrock client not initialized")
    messages = [{"role": m.role, "content": m.content} for m in request.conversation_history]
    messages.append({"role": "user", "content": request.message})
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1024,
        "messages": messages,
    }
    try:
        response = bedrock_runtime.invoke_model(modelId=MODEL_ID, body=json.dumps(body))
        result = json.loads(response["body"].read())
        return {"response": result["content"][0]["text"]}
    except Exception as e:
        print(f"ERROR: {e}")
        raise HTTPException(status_code=500, detail=str(e))
