"""Classifies support tickets from a queue with Claude on Bedrock."""
import json
import logging
import os

import boto3

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("triage")

bedrock = boto3.client("bedrock-runtime")
sqs = boto3.client("sqs")

MODEL = "anthropic.claude-3-hiaku-20240307-v1:0"


def classify(text: str) -> str:
    response = bedrock.converse(
        modelId=MODEL,
        messages=[{"role": "user", "content": [{"text": f"Label this ticket: {text}"}]}],
        inferenceConfig={"maxTokens": 20},
    )
    return response["output"]["message"]["content"][0]["text"].strip()


def main() -> None:
    queue = os.environ["QUEUE_URL"]
    while True:
        batch = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20, MaxNumberOfMessages=5)
        for message in batch.get("Messages", []):
            ticket = json.loads(message["Body"])
            log.info("ticket %s: %s", ticket["id"], classify(ticket["text"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    main()
