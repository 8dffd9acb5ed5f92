import boto3

s3 = boto3.client("s3")


def export_report(key: str, body: bytes) -> None:
    s3.put_object(Bucket="acme-reports", Key=key, Body=body)


if __name__ == "__main__":
    export_report("daily/latest.csv", b"ok\n")
