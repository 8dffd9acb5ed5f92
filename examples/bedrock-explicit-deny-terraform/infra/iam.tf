data "aws_iam_policy_document" "assistant" {
  statement {
    sid       = "InvokeClaude"
    actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = ["*"]
  }

  statement {
    sid         = "RegionGuard"
    effect      = "Deny"
    not_actions = ["iam:*", "sts:*"]
    resources   = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = ["ap-northeast-1"]
    }
  }
}

resource "aws_iam_role_policy" "assistant" {
  name   = "assistant"
  role   = "assistant"
  policy = data.aws_iam_policy_document.assistant.json
}
