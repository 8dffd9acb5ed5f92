//! The Bedrock model catalogue and the source scanner, on realistic inputs:
//! the seed's FastAPI backend, a Node server, a Go and a Java client.

use bedrock::{Availability, Catalogue, LifecycleStatus, ModelRef};
use stackdoctor::sources::bedrock_use::{scan_project, scan_source, Operation, Sdk, UseKind};
use std::path::Path;

/// `(line, column, text, kind)` of every finding in one file.
fn findings(name: &str, lines: &[&str]) -> Vec<(u32, u32, String, UseKind)> {
    let text = lines.join("\n") + "\n";
    scan_source(Path::new(name), &text)
        .into_iter()
        .map(|u| {
            assert_eq!(u.length as usize, u.text.chars().count());
            (u.line, u.column, u.text, u.kind)
        })
        .collect()
}

fn model(id: &str) -> UseKind {
    UseKind::ModelId { model: id.into() }
}

fn region(r: &str, setting: &str) -> UseKind {
    UseKind::RegionLiteral {
        region: r.into(),
        setting: setting.into(),
    }
}

fn log(message: &str) -> UseKind {
    UseKind::LogMessage {
        message: message.into(),
    }
}

const SONNET3: &str = "anthropic.claude-3-sonnet-20240229-v1:0";

/// The seed's backend/main.py, in the shape the guide describes.
const SEED_MAIN_PY: &[&str] = &[
    "import json",                                                              // 1
    "import os",                                                                // 2
    "",                                                                         // 3
    "import boto3",                                                             // 4
    "from fastapi import FastAPI, HTTPException",                               // 5
    "",                                                                         // 6
    "app = FastAPI()",                                                          // 7
    "# Region comes from docker-compose (AWS_REGION=${AWS_REGION:-us-east-1})", // 8
    "",                                                                         // 9
    "AWS_REGION = os.getenv(\"AWS_REGION\", \"us-east-1\")",                    // 10
    "MODEL_ID = os.environ.get(\"BEDROCK_MODEL_ID\", \"anthropic.claude-3-sonnet-20240229-v1:0\")", // 11
    "",                                                                                // 12
    "bedrock_client = None",                                                           // 13
    "try:",                                                                            // 14
    "    print(f\"Initializing Bedrock client in region: {AWS_REGION}\")",             // 15
    "    bedrock_client = boto3.client(\"bedrock-runtime\", region_name=AWS_REGION)",  // 16
    "    print(\"✓ Bedrock client initialized successfully\")",                        // 17
    "except Exception as e:",                                                          // 18
    "    print(f\"✗ Failed to initialize Bedrock client: {e}\")",                      // 19
    "",                                                                                // 20
    "",                                                                                // 21
    "@app.get(\"/\")",                                                                 // 22
    "def root():",                                                                     // 23
    "    return {\"message\": \"Bedrock UI API is running\", \"region\": AWS_REGION,", // 24
    "            \"bedrock_client\": \"initialized\" if bedrock_client else \"not initialized\"}", // 25
    "",                                                                                   // 26
    "",                                                                                   // 27
    "@app.post(\"/api/chat\")",                                                           // 28
    "def chat(req: dict):",                                                               // 29
    "    body = {\"anthropic_version\": \"bedrock-2023-05-31\", \"max_tokens\": 1000,",   // 30
    "            \"messages\": [{\"role\": \"user\", \"content\": req[\"message\"]}]}",   // 31
    "    # see https://docs.anthropic.com/claude/reference and anthropic.claude-v2 docs", // 32
    "    response = bedrock_client.invoke_model(",                                        // 33
    "        modelId='anthropic.claude-3-sonnet-20240229-v1:0',",                         // 34
    "        body=json.dumps(body),",                                                     // 35
    "    )",                                                                              // 36
    "    return json.loads(response[\"body\"].read())",                                   // 37
];

#[test]
fn seed_fastapi_backend() {
    let found = findings("backend/main.py", SEED_MAIN_PY);
    let expected = vec![
        (
            10,
            14,
            "os.getenv(\"AWS_REGION\", \"us-east-1\")".to_string(),
            UseKind::RegionFromEnv {
                variable: "AWS_REGION".into(),
                default: Some("us-east-1".into()),
                setting: "AWS_REGION=".into(),
            },
        ),
        (
            10,
            39,
            "us-east-1".into(),
            region("us-east-1", "default of AWS_REGION"),
        ),
        (
            11,
            12,
            format!("os.environ.get(\"BEDROCK_MODEL_ID\", \"{SONNET3}\")"),
            UseKind::ModelFromEnv {
                variable: "BEDROCK_MODEL_ID".into(),
                default: Some(SONNET3.into()),
            },
        ),
        (11, 48, SONNET3.into(), model(SONNET3)),
        (
            15,
            13,
            "Initializing Bedrock client in region: {AWS_REGION}".into(),
            log("Initializing Bedrock client in region: {AWS_REGION}"),
        ),
        (
            16,
            22,
            "boto3.client(\"bedrock-runtime\"".into(),
            UseKind::Client {
                sdk: Sdk::Boto3,
                region_argument: Some("AWS_REGION".into()),
            },
        ),
        (
            17,
            12,
            "✓ Bedrock client initialized successfully".into(),
            log("✓ Bedrock client initialized successfully"),
        ),
        (
            19,
            13,
            "✗ Failed to initialize Bedrock client: {e}".into(),
            log("✗ Failed to initialize Bedrock client: {e}"),
        ),
        (
            33,
            31,
            "invoke_model".into(),
            UseKind::Api {
                operation: Operation::InvokeModel,
            },
        ),
        (34, 18, SONNET3.into(), model(SONNET3)),
    ];
    assert_eq!(found, expected);
}

#[test]
fn node_server_ts() {
    let found = findings(
        "frontend/server.ts",
        &[
            "import express from \"express\";", // 1
            "import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from \"@aws-sdk/client-bedrock-runtime\";", // 2
            "",                                  // 3
            "// Default model: \"anthropic.claude-3-haiku-20240307-v1:0\" (see https://docs.aws.amazon.com)", // 4
            "const MODEL_ID = process.env.BEDROCK_MODEL_ID ?? \"us.anthropic.claude-3-5-haiku-20241022-v1:0\";", // 5
            "const client = new BedrockRuntimeClient({ region: process.env.AWS_REGION || \"us-east-1\" });", // 6
            "const app = express();",           // 7
            "",                                  // 8
            "app.post(\"/chat\", async (req, res) => {", // 9
            "  const out = await client.send(new ConverseCommand({ modelId: MODEL_ID, messages: req.body.messages }));", // 10
            "  res.json(out);",                  // 11
            "});",                               // 12
            "",                                  // 13
            "app.post(\"/stream\", async (req, res) => {", // 14
            "  const command = new ConverseStreamCommand({", // 15
            "    modelId: `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`,", // 16
            "    messages: req.body.messages,",  // 17
            "  });",                             // 18
            "  res.json(await client.send(command));", // 19
            "});",                               // 20
            "",                                  // 21
            "console.log(`Bedrock client ready in region ${process.env.AWS_REGION}`);", // 22
            "app.listen(3000);",                 // 23
        ],
    );
    let haiku35 = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
    let arn = format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{haiku35}");
    let expected = vec![
        (
            5,
            18,
            format!("process.env.BEDROCK_MODEL_ID ?? \"{haiku35}\""),
            UseKind::ModelFromEnv {
                variable: "BEDROCK_MODEL_ID".into(),
                default: Some(haiku35.into()),
            },
        ),
        (5, 51, haiku35.into(), model(haiku35)),
        (
            6,
            16,
            "new BedrockRuntimeClient(".into(),
            UseKind::Client {
                sdk: Sdk::AwsSdkJsV3,
                region_argument: Some("process.env.AWS_REGION || \"us-east-1\"".into()),
            },
        ),
        (
            6,
            51,
            "process.env.AWS_REGION || \"us-east-1\"".into(),
            UseKind::RegionFromEnv {
                variable: "AWS_REGION".into(),
                default: Some("us-east-1".into()),
                setting: "region:".into(),
            },
        ),
        (
            6,
            78,
            "us-east-1".into(),
            region("us-east-1", "default of AWS_REGION"),
        ),
        (
            10,
            37,
            "ConverseCommand".into(),
            UseKind::Api {
                operation: Operation::Converse,
            },
        ),
        (
            15,
            23,
            "ConverseStreamCommand".into(),
            UseKind::Api {
                operation: Operation::ConverseStream,
            },
        ),
        (16, 15, arn.clone(), model(&arn)),
        (
            22,
            14,
            "Bedrock client ready in region ${process.env.AWS_REGION}".into(),
            log("Bedrock client ready in region ${process.env.AWS_REGION}"),
        ),
    ];
    assert_eq!(found, expected);
}

#[test]
fn go_client() {
    let found = findings(
        "svc/main.go",
        &[
            "package main", // 1
            "",             // 2
            "import (",     // 3
            "\t\"context\"", // 4
            "\t\"log\"",    // 5
            "",             // 6
            "\t\"github.com/aws/aws-sdk-go-v2/aws\"", // 7
            "\t\"github.com/aws/aws-sdk-go-v2/config\"", // 8
            "\t\"github.com/aws/aws-sdk-go-v2/service/bedrockruntime\"", // 9
            ")",            // 10
            "",             // 11
            "const modelID = \"anthropic.claude-3-haiku-20240307-v1:0\" // not \"amazon.titan-text-express-v1\"", // 12
            "",             // 13
            "func main() {", // 14
            "\tctx := context.Background()", // 15
            "\tcfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(\"ap-northeast-1\"))", // 16
            "\tif err != nil {", // 17
            "\t\tlog.Fatalf(\"unable to load config: %v\", err)", // 18
            "\t}",          // 19
            "\tclient := bedrockruntime.NewFromConfig(cfg)", // 20
            "\tout, err := client.InvokeModelWithResponseStream(ctx, &bedrockruntime.InvokeModelWithResponseStreamInput{ModelId: aws.String(modelID)})", // 21
            "\t_, _ = out, err", // 22
            "}",            // 23
        ],
    );
    let haiku = "anthropic.claude-3-haiku-20240307-v1:0";
    let expected = vec![
        (12, 18, haiku.to_string(), model(haiku)),
        (
            16,
            63,
            "ap-northeast-1".into(),
            region("ap-northeast-1", "config.WithRegion("),
        ),
        (
            20,
            12,
            "bedrockruntime.NewFromConfig(".into(),
            UseKind::Client {
                sdk: Sdk::AwsSdkGoV2,
                region_argument: None,
            },
        ),
        (
            21,
            21,
            "InvokeModelWithResponseStream".into(),
            UseKind::Api {
                operation: Operation::InvokeModelWithResponseStream,
            },
        ),
    ];
    assert_eq!(found, expected);
}

#[test]
fn java_client() {
    let found = findings(
        "src/main/java/com/example/ChatService.java",
        &[
            "package com.example.chat;", // 1
            "",                          // 2
            "import software.amazon.awssdk.regions.Region;", // 3
            "import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;", // 4
            "import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;", // 5
            "",                          // 6
            "public class ChatService {", // 7
            "    /* Tokyo needs \"apac.anthropic.claude-3-sonnet-20240229-v1:0\" */", // 8
            "    private static final String MODEL_ID = \"anthropic.claude-3-sonnet-20240229-v1:0\";", // 9
            "    private final BedrockRuntimeClient client = BedrockRuntimeClient.builder()", // 10
            "            .region(Region.AP_NORTHEAST_1)", // 11
            "            .build();",      // 12
            "    private final String fallbackRegion = System.getenv().getOrDefault(\"AWS_REGION\", \"us-east-1\");", // 13
            "",                          // 14
            "    public String chat(String text) {", // 15
            "        ConverseResponse r = client.converse(b -> b.modelId(MODEL_ID));", // 16
            "        return r.output().message().content().get(0).text();", // 17
            "    }",                     // 18
            "}",                         // 19
        ],
    );
    let expected = vec![
        (9, 45, SONNET3.to_string(), model(SONNET3)),
        (
            10,
            49,
            "BedrockRuntimeClient.builder()".into(),
            UseKind::Client {
                sdk: Sdk::AwsSdkJavaV2,
                region_argument: Some("Region.AP_NORTHEAST_1".into()),
            },
        ),
        (
            11,
            21,
            "Region.AP_NORTHEAST_1".into(),
            region("ap-northeast-1", "region("),
        ),
        (
            13,
            43,
            "System.getenv().getOrDefault(\"AWS_REGION\", \"us-east-1\")".into(),
            UseKind::RegionFromEnv {
                variable: "AWS_REGION".into(),
                default: Some("us-east-1".into()),
                setting: "fallbackRegion=".into(),
            },
        ),
        (
            13,
            87,
            "us-east-1".into(),
            region("us-east-1", "default of AWS_REGION"),
        ),
        (
            16,
            37,
            "converse".into(),
            UseKind::Api {
                operation: Operation::Converse,
            },
        ),
    ];
    assert_eq!(found, expected);
}

#[test]
fn anthropic_sdk_and_rust_clients() {
    let found = findings(
        "agent.py",
        &[
            "from anthropic import AnthropicBedrock",
            "client = AnthropicBedrock()",
            "msg = client.messages.create(model=\"global.anthropic.claude-sonnet-4-5-20250929-v1:0\", max_tokens=10, messages=[])",
        ],
    );
    let kinds: Vec<&UseKind> = found.iter().map(|f| &f.3).collect();
    assert_eq!(
        kinds,
        [
            &UseKind::Client {
                sdk: Sdk::AnthropicBedrockPython,
                region_argument: None
            },
            &UseKind::Api {
                operation: Operation::InvokeModel
            },
            &model("global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ]
    );
    assert_eq!(
        Sdk::AnthropicBedrockPython.fallback_region(),
        Some("us-east-1")
    );

    let found = findings(
        "src/main.rs",
        &[
            "use aws_sdk_bedrockruntime::Client;",
            "// let id = \"anthropic.claude-3-haiku-20240307-v1:0\";",
            "async fn run() {",
            "    let config = aws_config::from_env().region(Region::new(\"eu-central-1\")).load().await;",
            "    let client = Client::new(&config);",
            "    let _ = client.converse_stream().model_id(\"eu.anthropic.claude-3-7-sonnet-20250219-v1:0\").send().await;",
            "}",
        ],
    );
    let summary: Vec<(u32, u32, &UseKind)> = found.iter().map(|f| (f.0, f.1, &f.3)).collect();
    assert_eq!(
        summary,
        [
            (4, 61, &region("eu-central-1", "Region::new(")),
            (
                5,
                18,
                &UseKind::Client {
                    sdk: Sdk::AwsSdkRust,
                    region_argument: None
                }
            ),
            (
                6,
                20,
                &UseKind::Api {
                    operation: Operation::ConverseStream
                }
            ),
            (
                6,
                48,
                &model("eu.anthropic.claude-3-7-sonnet-20250219-v1:0")
            ),
        ]
    );
}

#[test]
fn comments_imports_and_unrelated_strings_do_not_match() {
    let found = findings(
        "util.py",
        &[
            "import anthropic.types  # anthropic.claude-3-haiku-20240307-v1:0",
            "HOME = \"https://www.anthropic.com/\"",
            "SITE = \"anthropic.com\"",
            "DOC = \"https://docs.aws.amazon.com/bedrock/latest/userguide/models-regions.html\"",
            "VERSION = \"bedrock-2023-05-31\"",
            "EMAIL = \"support@anthropic.com\"",
            "MODULE = \"mistral.models.v2\"",
            "\"\"\"Call anthropic.claude-3-haiku-20240307-v1:0 from us-east-1.\"\"\"",
        ],
    );
    // Only the docstring (a string literal) names a model and a region.
    let kinds: Vec<&UseKind> = found.iter().map(|f| &f.3).collect();
    assert_eq!(
        kinds,
        [
            &model("anthropic.claude-3-haiku-20240307-v1:0"),
            &region("us-east-1", "in text")
        ]
    );
}

#[test]
fn project_walk_skips_dependencies_hidden_folders_and_big_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("backend/main.py", &(SEED_MAIN_PY.join("\n") + "\n"));
    write(".env", "AWS_REGION=ap-northeast-1\n");
    write(
        "node_modules/x/index.js",
        "const m = 'anthropic.claude-3-haiku-20240307-v1:0';\n",
    );
    write(
        ".cache/a.py",
        "m = 'anthropic.claude-3-haiku-20240307-v1:0'\n",
    );
    write(
        "backend/__pycache__/a.py",
        "m = 'anthropic.claude-3-haiku-20240307-v1:0'\n",
    );
    write(
        "backend/README.md",
        "anthropic.claude-3-haiku-20240307-v1:0\n",
    );
    write("env/pyvenv.cfg", "home = /usr/bin\n");
    write(
        "env/lib/python3.12/boto_example.py",
        "m = 'anthropic.claude-3-haiku-20240307-v1:0'\n",
    );
    write(
        "vendor/github.com/x/y.go",
        "var m = \"anthropic.claude-3-haiku-20240307-v1:0\"\n",
    );
    let big = format!("m = 'amazon.nova-lite-v1:0'\n{}", "#\n".repeat(600_000));
    write("big.py", &big);
    #[cfg(unix)]
    std::os::unix::fs::symlink(root, root.join("backend/loop")).unwrap();

    let found = scan_project(root);
    let files: std::collections::BTreeSet<String> = found
        .iter()
        .map(|u| u.file.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [".env", "backend/main.py"]
    );
    let env = found.iter().find(|u| u.file.ends_with(".env")).unwrap();
    assert_eq!(
        (env.line, env.column, &env.kind),
        (1, 12, &region("ap-northeast-1", "AWS_REGION="))
    );
    assert_eq!(
        found.iter().filter(|u| u.file.ends_with("main.py")).count(),
        10
    );
}

/// The seed, end to end: the code's model with the region the `.env` sets.
#[test]
fn seed_model_from_tokyo_needs_the_apac_profile() {
    let catalogue = Catalogue::embedded();
    let found = findings("backend/main.py", SEED_MAIN_PY);
    let UseKind::ModelId { model } = &found.iter().find(|f| f.0 == 34).unwrap().3 else {
        panic!("no model on line 34");
    };
    let model = ModelRef::parse(model).unwrap();

    let tokyo = catalogue.availability(&model, "ap-northeast-1");
    match &tokyo {
        Availability::NeedsProfile {
            profile_id,
            lifecycle,
            ..
        } => {
            assert_eq!(profile_id, "apac.anthropic.claude-3-sonnet-20240229-v1:0");
            assert_eq!(lifecycle.status, LifecycleStatus::Eol);
            assert_eq!(
                lifecycle.status_on(&catalogue.as_of),
                LifecycleStatus::Legacy
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        catalogue.availability(&model, "us-east-1"),
        Availability::OnDemand { .. }
    ));

    // The guide's policy names only the Tokyo foundation model: not enough for the profile.
    let profile = ModelRef::parse("apac.anthropic.claude-3-sonnet-20240229-v1:0").unwrap();
    let arns = catalogue.required_arns(&profile, "ap-northeast-1", Some("123456789012"));
    assert_eq!(arns.len(), 6);
    assert!(arns[0]
        .arn
        .ends_with(":123456789012:inference-profile/apac.anthropic.claude-3-sonnet-20240229-v1:0"));
    assert!(arns
        .iter()
        .any(|a| a.arn == "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0"));

    // The typo a user might make is recognised.
    assert_eq!(
        catalogue.nearest("anthropic.claude-3-sonet-20240229-v1:0"),
        Some(SONNET3)
    );
}

#[test]
fn catalogue_serialises_and_round_trips() {
    let catalogue = Catalogue::embedded();
    let text = serde_json::to_string(catalogue).unwrap();
    assert_eq!(
        &serde_json::from_str::<Catalogue>(&text).unwrap(),
        catalogue
    );
    let json = serde_json::to_value(
        catalogue.availability(&ModelRef::parse(SONNET3).unwrap(), "ap-northeast-1"),
    )
    .unwrap();
    assert_eq!(json["verdict"], "needs-profile");
    assert_eq!(json["lifecycle"]["status"], "eol");
}

/// Embedding models and the models added after the catalogue's table date:
/// known IDs (so they are not taken for typos), Regions where sourced.
#[test]
fn embedding_and_newer_models_are_catalogued() {
    let catalogue = Catalogue::embedded();
    let parse = |id: &str| ModelRef::parse(id).unwrap();
    for (id, region) in [
        ("amazon.titan-embed-text-v2:0", "ap-northeast-1"),
        ("amazon.titan-embed-text-v1", "eu-central-1"),
        ("cohere.embed-multilingual-v3", "ap-northeast-1"),
        ("mistral.mistral-large-3-675b-instruct", "us-east-2"),
    ] {
        assert!(
            matches!(
                catalogue.availability(&parse(id), region),
                Availability::OnDemand { .. }
            ),
            "{id} in {region}"
        );
    }
    // Titan Embeddings G1 - Text is not offered in Sydney [TBL].
    assert!(matches!(
        catalogue.availability(&parse("amazon.titan-embed-text-v1"), "ap-southeast-2"),
        Availability::NotInRegion { .. }
    ));
    // Without sourced Region data no Region verdict is made, but the ID is known.
    assert!(matches!(
        catalogue.availability(&parse("us.anthropic.claude-sonnet-4-6"), "us-east-1"),
        Availability::Catalogued { .. }
    ));
    assert!(matches!(
        catalogue.availability(&parse("global.amazon.nova-2-lite-v1:0"), "ap-northeast-1"),
        Availability::Catalogued { .. }
    ));
    // …and its profile geographies are: Anthropic lists no `apac.` Sonnet 4.6.
    assert!(matches!(
        catalogue.availability(&parse("apac.anthropic.claude-sonnet-4-6"), "ap-northeast-1"),
        Availability::NoSuchProfile { .. }
    ));
    // Sonnet 5 is no typo of Sonnet 4.6; a Titan embedding typo finds its model.
    assert_eq!(
        catalogue.nearest("anthropic.claude-sonnet-5"),
        Some("anthropic.claude-sonnet-5")
    );
    assert_eq!(
        catalogue.nearest("amazon.titan-embed-text-v2"),
        Some("amazon.titan-embed-text-v2:0")
    );
}

/// What the catalogue says of an ID when no Region is known for the call.
#[test]
fn verdicts_without_a_region() {
    let catalogue = Catalogue::embedded();
    let parse = |id: &str| ModelRef::parse(id).unwrap();
    match catalogue.availability_anywhere(&parse("anthropic.claude-3-5-sonet-20240620-v1:0")) {
        Availability::Unknown { nearest, .. } => assert_eq!(
            nearest.as_deref(),
            Some("anthropic.claude-3-5-sonnet-20240620-v1:0")
        ),
        other => panic!("{other:?}"),
    }
    let retired = catalogue.availability_anywhere(&parse(SONNET3));
    assert!(matches!(retired, Availability::Catalogued { .. }));
    assert_eq!(
        retired.lifecycle().unwrap().status_on("2026-12-03"),
        LifecycleStatus::Eol
    );
    // A prefix the model has somewhere is fine without a Region; one it never has is not.
    assert!(matches!(
        catalogue.availability_anywhere(&parse("jp.anthropic.claude-sonnet-4-5-20250929-v1:0")),
        Availability::Catalogued { .. }
    ));
    assert!(matches!(
        catalogue.availability_anywhere(&parse("au.anthropic.claude-3-haiku-20240307-v1:0")),
        Availability::NoSuchProfile { .. }
    ));
}

/// Config files are read for model IDs and region settings: a LiteLLM proxy
/// `config.yaml`, a JSON settings file, a TOML file, an env file's list;
/// compose files and IAM policies are not (other sources read them).
#[test]
fn config_files_name_models_and_regions() {
    let found = findings(
        "litellm/config.yaml",
        &[
            "model_list:",
            "  - model_name: claude-sonnet",
            "    litellm_params:",
            "      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0  # Tokyo on demand",
            "      aws_region_name: ap-northeast-1",
            "  - model_name: \"embed\"",
            "    litellm_params: {model: \"bedrock/cohere.embed-multilingual-v3\"}",
        ],
    );
    assert_eq!(
        found,
        [
            (
                4,
                22,
                "anthropic.claude-3-5-sonnet-20240620-v1:0".to_string(),
                model("anthropic.claude-3-5-sonnet-20240620-v1:0")
            ),
            (
                5,
                24,
                "ap-northeast-1".to_string(),
                region("ap-northeast-1", "aws_region_name=")
            ),
            (
                7,
                38,
                "cohere.embed-multilingual-v3".to_string(),
                model("cohere.embed-multilingual-v3")
            ),
        ]
    );
    let json = findings(
        ".vscode/settings.json",
        &["{", "  \"env\": {\"AWS_REGION\": \"us-west-2\", \"ANTHROPIC_MODEL\": \"us.anthropic.claude-sonnet-4-5-20250929-v1:0\"}", "}"],
    );
    assert_eq!(json.len(), 2, "{json:?}");
    assert_eq!(json[0].3, region("us-west-2", "AWS_REGION="));
    assert_eq!(
        json[1].3,
        model("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    );
    let toml = findings(
        "settings.toml",
        &["[bedrock]", "model_id = \"amazon.nova-pro-v1:0\""],
    );
    assert_eq!(
        toml,
        [(
            2,
            13,
            "amazon.nova-pro-v1:0".to_string(),
            model("amazon.nova-pro-v1:0")
        )]
    );
    let env = findings(
        ".env",
        &["BEDROCK_MODELS=amazon.nova-lite-v1:0,meta.llama3-8b-instruct-v1:0"],
    );
    let columns: Vec<u32> = env.iter().map(|f| f.1).collect();
    assert_eq!(columns, [16, 38]);
    // Not read here: compose files (the compose source does) and IAM policies.
    assert!(findings(
        "docker-compose.yml",
        &[
            "services:",
            "  api:",
            "    environment:",
            "      BEDROCK_MODEL_ID: amazon.nova-lite-v1:0"
        ]
    )
    .is_empty());
    assert!(findings(
        "role-policy.json",
        &["{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"bedrock:InvokeModel\", \"Resource\": \"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0\"}]}"]
    )
    .is_empty());
}
