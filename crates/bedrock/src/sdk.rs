//! The SDKs apps create Bedrock runtime clients with, and the runtime
//! operations they call: what each needs from the environment and from IAM.

use serde::Serialize;

/// The library that creates the Bedrock runtime client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    /// `boto3.client("bedrock-runtime")` / `session.client("bedrock-runtime")`.
    Boto3,
    /// `AnthropicBedrock(` from the `anthropic[bedrock]` Python package.
    AnthropicBedrockPython,
    /// `new AnthropicBedrock(` from `@anthropic-ai/bedrock-sdk`.
    AnthropicBedrockJs,
    /// LangChain `ChatBedrock`, `ChatBedrockConverse`, `BedrockLLM`, `BedrockChat`.
    Langchain,
    /// `new BedrockRuntimeClient(` from `@aws-sdk/client-bedrock-runtime`.
    AwsSdkJsV3,
    /// `bedrockruntime.NewFromConfig(`.
    AwsSdkGoV2,
    /// `BedrockRuntimeClient.builder()` / `.create()`.
    AwsSdkJavaV2,
    /// `BedrockRuntimeClient { … }` (AWS SDK for Kotlin).
    AwsSdkKotlin,
    /// `aws_sdk_bedrockruntime::Client`.
    AwsSdkRust,
}

impl Sdk {
    /// The name used in reports (`boto3`, `aws-sdk-js-v3`, …).
    pub fn name(self) -> &'static str {
        match self {
            Sdk::Boto3 => "boto3",
            Sdk::AnthropicBedrockPython => "anthropic-bedrock-python",
            Sdk::AnthropicBedrockJs => "anthropic-bedrock-js",
            Sdk::Langchain => "langchain-aws",
            Sdk::AwsSdkJsV3 => "aws-sdk-js-v3",
            Sdk::AwsSdkGoV2 => "aws-sdk-go-v2",
            Sdk::AwsSdkJavaV2 => "aws-sdk-java-v2",
            Sdk::AwsSdkKotlin => "aws-sdk-kotlin",
            Sdk::AwsSdkRust => "aws-sdk-rust",
        }
    }

    /// The environment variables the SDK reads for its region when the code
    /// passes none, in order (before the shared config file's `region`).
    /// botocore reads only `AWS_DEFAULT_REGION`, not `AWS_REGION`; the
    /// Anthropic Python client reads `AWS_REGION`, then boto3's chain.
    pub fn region_variables(self) -> &'static [&'static str] {
        match self {
            Sdk::Boto3 | Sdk::Langchain => &["AWS_DEFAULT_REGION"],
            Sdk::AnthropicBedrockPython => &["AWS_REGION", "AWS_DEFAULT_REGION"],
            Sdk::AwsSdkJsV3 | Sdk::AnthropicBedrockJs => &["AWS_REGION"],
            Sdk::AwsSdkJavaV2 | Sdk::AwsSdkKotlin => &["AWS_REGION"],
            Sdk::AwsSdkGoV2 | Sdk::AwsSdkRust => &["AWS_REGION", "AWS_DEFAULT_REGION"],
        }
    }

    /// The region used when nothing sets one: the Anthropic Python client
    /// silently falls back to `us-east-1`; the others fail.
    pub fn fallback_region(self) -> Option<&'static str> {
        match self {
            Sdk::AnthropicBedrockPython => Some("us-east-1"),
            _ => None,
        }
    }
}

/// A Bedrock runtime operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Operation {
    InvokeModel,
    InvokeModelWithResponseStream,
    Converse,
    ConverseStream,
}

impl Operation {
    /// The IAM action the operation needs (Converse has no action of its own).
    pub fn iam_action(self) -> &'static str {
        match self {
            Operation::InvokeModel | Operation::Converse => "bedrock:InvokeModel",
            Operation::InvokeModelWithResponseStream | Operation::ConverseStream => {
                "bedrock:InvokeModelWithResponseStream"
            }
        }
    }

    /// The operation a method or command is named for (`invoke_model`,
    /// `ConverseStreamCommand`).
    pub fn from_name(name: &str) -> Option<Operation> {
        let n = name.to_ascii_lowercase().replace('_', "");
        let n = n.strip_suffix("command").unwrap_or(&n);
        Some(match n {
            "invokemodel" => Operation::InvokeModel,
            "invokemodelwithresponsestream" => Operation::InvokeModelWithResponseStream,
            "converse" => Operation::Converse,
            "conversestream" => Operation::ConverseStream,
            _ => return None,
        })
    }
}
