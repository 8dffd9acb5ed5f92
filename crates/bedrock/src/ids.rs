//! Parsing what an app passes as Bedrock `modelId`: a foundation-model ID, a
//! system (cross-Region) inference-profile ID, or one of the Bedrock ARNs,
//! also in the percent-encoded form botocore writes into request URLs
//! (`…/model/us.amazon.nova-micro-v1%3A0/converse`).
//!
//! Forms (AWS docs "Supported foundation models", "Inference profiles"):
//!
//! | form | example |
//! |---|---|
//! | foundation-model ID | `anthropic.claude-3-haiku-20240307-v1:0` |
//! | system profile ID | `apac.anthropic.claude-3-sonnet-20240229-v1:0` |
//! | foundation-model ARN | `arn:aws:bedrock:us-east-1::foundation-model/<id>` (empty account; region-less `arn:aws:bedrock:::foundation-model/<id>` in IAM for `global.`) |
//! | inference-profile ARN | `arn:aws:bedrock:<source-region>:<account>:inference-profile/<geo>.<id>` |
//! | application profile ARN | `arn:aws:bedrock:<region>:<account>:application-inference-profile/<12 chars>` |
//! | provisioned model ARN | `arn:aws:bedrock:<region>:<account>:provisioned-model/<id>` |

use serde::Serialize;

/// The geography prefixes of system inference profiles (`us.`, `eu.`, …).
/// `us-gov.` is GovCloud; `global.` routes to any commercial Region; `ca.` is
/// seen in real configs (`ca.amazon.nova-lite-v1:0`) but not in the AWS table
/// of 2026-02-15.
pub const GEO_PREFIXES: &[&str] = &["us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"];

/// Longest identifier the Bedrock runtime accepts (botocore `InvokeModelIdentifier`).
const MAX_LEN: usize = 2048;

/// What kind of reference a `modelId` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    /// `anthropic.claude-3-haiku-20240307-v1:0`
    FoundationModelId,
    /// `apac.anthropic.claude-3-sonnet-20240229-v1:0`
    SystemProfileId,
    /// `arn:aws:bedrock:<region>::foundation-model/<id>` (region may be empty)
    FoundationModelArn,
    /// `arn:aws:bedrock:<region>:<account>:inference-profile/<profile-id>`
    InferenceProfileArn,
    /// `arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>`
    ApplicationProfileArn,
    /// `arn:aws:bedrock:<region>:<account>:provisioned-model/<id>`
    ProvisionedModelArn,
    /// `custom-model/`, `imported-model/`, `custom-model-deployment/` ARNs.
    OtherArn,
}

impl RefKind {
    pub fn is_arn(self) -> bool {
        !matches!(self, RefKind::FoundationModelId | RefKind::SystemProfileId)
    }
}

/// A parsed model reference. Fields that do not apply to the form are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelRef {
    /// The reference after percent-decoding (what the app meant to send).
    pub text: String,
    pub kind: RefKind,
    /// The foundation-model ID it names (`anthropic.claude-…`), without a geo
    /// prefix; `None` for application profiles, provisioned and other ARNs.
    pub base_id: Option<String>,
    /// The geography prefix of a system profile (`apac`), without the dot.
    pub geo: Option<String>,
    /// ARN partition (`aws`, `aws-us-gov`, `aws-cn`).
    pub partition: Option<String>,
    /// ARN region; `None` for IDs and for the region-less foundation-model ARN.
    pub region: Option<String>,
    /// ARN account; `None` when empty (foundation-model ARNs).
    pub account: Option<String>,
    /// The ARN's resource ID (after `<type>/`).
    pub resource: Option<String>,
}

impl ModelRef {
    /// Parses a `modelId` as an app passes it (or as it appears, encoded, in a
    /// botocore URL). `None` when it is not a Bedrock model reference.
    ///
    /// ```
    /// use bedrock::ids::{ModelRef, RefKind};
    /// let r = ModelRef::parse("apac.anthropic.claude-3-sonnet-20240229-v1:0").unwrap();
    /// assert_eq!(r.kind, RefKind::SystemProfileId);
    /// assert_eq!(r.geo.as_deref(), Some("apac"));
    /// assert_eq!(r.base_id.as_deref(), Some("anthropic.claude-3-sonnet-20240229-v1:0"));
    /// ```
    pub fn parse(text: &str) -> Option<ModelRef> {
        let decoded = percent_decode(text.trim());
        let text = decoded.trim();
        if text.is_empty() || text.len() > MAX_LEN || text.chars().any(char::is_whitespace) {
            return None;
        }
        if text.starts_with("arn:") {
            parse_arn(text)
        } else {
            parse_id(text)
        }
    }

    /// The system profile ID (`apac.anthropic.claude-…`), when this names one.
    pub fn profile_id(&self) -> Option<String> {
        match (&self.geo, &self.base_id) {
            (Some(geo), Some(base)) => Some(format!("{geo}.{base}")),
            _ => None,
        }
    }

    /// Whether the reference names a system (cross-Region) inference profile.
    pub fn is_system_profile(&self) -> bool {
        self.geo.is_some()
    }

    pub fn is_arn(&self) -> bool {
        self.kind.is_arn()
    }
}

fn parse_id(text: &str) -> Option<ModelRef> {
    if !text.chars().all(is_id_char) {
        return None;
    }
    let (geo, base) = split_geo(text);
    if !is_base_id(base) {
        return None;
    }
    Some(ModelRef {
        text: text.to_string(),
        kind: if geo.is_some() {
            RefKind::SystemProfileId
        } else {
            RefKind::FoundationModelId
        },
        base_id: Some(base.to_string()),
        geo: geo.map(str::to_string),
        partition: None,
        region: None,
        account: None,
        resource: None,
    })
}

fn parse_arn(text: &str) -> Option<ModelRef> {
    let mut parts = text.splitn(6, ':');
    let (_arn, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service != "bedrock" || !partition.starts_with("aws") {
        return None;
    }
    if !region
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || !account.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let (resource_type, id) = resource.split_once('/')?;
    if id.is_empty() || !id.chars().all(is_id_char) {
        return None;
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let mut out = ModelRef {
        text: text.to_string(),
        kind: RefKind::OtherArn,
        base_id: None,
        geo: None,
        partition: Some(partition.to_string()),
        region: some(region),
        account: some(account),
        resource: Some(id.to_string()),
    };
    match resource_type {
        "foundation-model" => {
            if !is_base_id(id) {
                return None;
            }
            out.kind = RefKind::FoundationModelArn;
            out.base_id = Some(id.to_string());
        }
        "inference-profile" => {
            let (geo, base) = split_geo(id);
            if !is_base_id(base) || region.is_empty() {
                return None;
            }
            out.kind = RefKind::InferenceProfileArn;
            out.geo = geo.map(str::to_string);
            out.base_id = Some(base.to_string());
        }
        "application-inference-profile" => out.kind = RefKind::ApplicationProfileArn,
        "provisioned-model" => out.kind = RefKind::ProvisionedModelArn,
        "custom-model" | "imported-model" | "custom-model-deployment" => {}
        _ => return None,
    }
    if out.kind != RefKind::FoundationModelArn && region.is_empty() {
        return None;
    }
    Some(out)
}

/// Splits `apac.anthropic.x` into `(Some("apac"), "anthropic.x")`.
fn split_geo(id: &str) -> (Option<&str>, &str) {
    match id.split_once('.') {
        Some((first, rest)) if GEO_PREFIXES.contains(&first) && rest.contains('.') => {
            (Some(first), rest)
        }
        _ => (None, id),
    }
}

/// `<provider>.<name>`: provider `[a-z][a-z0-9-]*`, name starting with an
/// alphanumeric character.
pub(crate) fn is_base_id(id: &str) -> bool {
    let Some((provider, name)) = id.split_once('.') else {
        return false;
    };
    let mut p = provider.chars();
    p.next().is_some_and(|c| c.is_ascii_lowercase())
        && p.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(is_id_char)
        && !GEO_PREFIXES.contains(&provider)
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '_')
}

/// Decodes `%XX` escapes (repeatedly, for double-encoded URLs); other text is kept.
pub fn percent_decode(text: &str) -> String {
    let mut current = text.to_string();
    for _ in 0..3 {
        if !current.contains('%') {
            break;
        }
        let bytes = current.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = |b: u8| (b as char).to_digit(16);
                if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        let next = String::from_utf8_lossy(&out).into_owned();
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// The ARN partition of a region code.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

/// A Bedrock ARN of any resource type a `modelId` may name, in text.
pub const ARN_PATTERN: &str = r"arn:aws(?:-us-gov|-cn)?:bedrock:[a-z0-9-]*:[0-9]{0,12}:(?:foundation-model|inference-profile|application-inference-profile|provisioned-model|custom-model|imported-model|custom-model-deployment)/[A-Za-z0-9._:-]+";

/// The providers whose model IDs are recognised in text.
const PROVIDERS: &str = "anthropic|amazon|meta|mistral|cohere|ai21|stability|deepseek|openai|qwen|writer|twelvelabs|luma|google|minimax|moonshot|moonshotai|nvidia";

/// A model or system-profile ID candidate in text (checked by [`model_id_at`]).
pub fn model_pattern() -> String {
    format!(r"(?:(?:us-gov|us|eu|apac|jp|au|ca|global)\.)?(?:{PROVIDERS})\.[a-z0-9][a-z0-9._:-]*")
}

/// Whether `text` may hold a model ID, profile ID or Bedrock ARN: a cheap
/// test before any pattern is compiled or run (an `.env` of passwords and
/// ports has none).
pub fn may_name_model(text: &str) -> bool {
    text.contains("arn:")
        || PROVIDERS.split('|').any(|provider| {
            text.match_indices(provider)
                .any(|(at, _)| text[at + provider.len()..].starts_with('.'))
        })
}

fn text_patterns() -> &'static (regex::Regex, regex::Regex) {
    static PATTERNS: std::sync::OnceLock<(regex::Regex, regex::Regex)> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        let compile = |p: &str| regex::Regex::new(p).unwrap_or_else(|e| panic!("pattern {p}: {e}"));
        (compile(ARN_PATTERN), compile(&model_pattern()))
    })
}

/// The model IDs, profile IDs and Bedrock ARNs written in a value
/// (`BEDROCK_MODELS=a,b`, `bedrock/anthropic.claude-…`), in order.
pub fn model_ids_in(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut arn_spans: Vec<std::ops::Range<usize>> = Vec::new();
    for m in text_patterns().0.find_iter(value) {
        let arn = m.as_str().trim_end_matches(['.', ':', '-']);
        if ModelRef::parse(arn).is_some() {
            arn_spans.push(m.range());
            out.push(arn.to_string());
        }
    }
    for m in text_patterns().1.find_iter(value) {
        if arn_spans
            .iter()
            .any(|s| s.start <= m.start() && m.start() < s.end)
        {
            continue;
        }
        if let Some(id) = model_id_at(value, m.range()) {
            if !out.iter().any(|o| o == id) {
                out.push(id.to_string());
            }
        }
    }
    out
}

/// The model ID matched at `range` of a string's `content`, if it is one:
/// not part of a longer word or host name, not in a URL, shaped like a
/// model name (so `anthropic.com` is not one), and parseable.
pub fn model_id_at(content: &str, range: std::ops::Range<usize>) -> Option<&str> {
    let b = content.as_bytes();
    if range.start > 0 {
        let prev = b[range.start - 1];
        // `${prefix}.anthropic.claude-…` (a template) is allowed.
        let templated = prev == b'.' && range.start >= 2 && b[range.start - 2] == b'}';
        if (prev.is_ascii_alphanumeric() || matches!(prev, b'_' | b'.' | b'-' | b'@')) && !templated
        {
            return None;
        }
    }
    let id = content[range.clone()].trim_end_matches(['.', ':', '-', '_']);
    let end = range.start + id.len();
    if end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
        return None;
    }
    let token_start = content[..range.start]
        .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '(' | ',' | '='))
        .map_or(0, |i| i + 1);
    let token_end = content[end..]
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | ','))
        .map_or(content.len(), |i| end + i);
    if content[token_start..token_end].contains("://") {
        return None;
    }
    let parsed = ModelRef::parse(id)?;
    let base = parsed.base_id?;
    // Every Bedrock model name has a digit and a dash and no dot
    // (`claude-3-haiku-20240307-v1:0`, `nova-lite-v1:0`); module paths
    // (`mistral.models.v2`) and host names do not fit.
    let name = base.split_once('.')?.1;
    (name.bytes().any(|c| c.is_ascii_digit()) && name.contains('-') && !name.contains('.'))
        .then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_naming_a_provider_or_an_arn_may_name_a_model() {
        assert!(may_name_model("anthropic.claude-3-haiku-20240307-v1:0"));
        assert!(may_name_model("us.meta.llama3-2-1b-instruct-v1:0"));
        assert!(may_name_model(
            "arn:aws:bedrock:us-east-1::foundation-model/x"
        ));
        assert!(!may_name_model("2.3.1"));
        assert!(!may_name_model("anthropic"));
        assert!(!may_name_model("postgres://app@db:5432/app"));
    }

    #[test]
    fn foundation_model_ids_parse() {
        let r = ModelRef::parse("anthropic.claude-3-haiku-20240307-v1:0").unwrap();
        assert_eq!(r.kind, RefKind::FoundationModelId);
        assert_eq!(
            r.base_id.as_deref(),
            Some("anthropic.claude-3-haiku-20240307-v1:0")
        );
        assert_eq!(r.geo, None);
        for id in [
            "amazon.titan-text-express-v1",
            "anthropic.claude-sonnet-4-6",
            "anthropic.claude-opus-4-6-v1",
        ] {
            assert_eq!(
                ModelRef::parse(id).unwrap().kind,
                RefKind::FoundationModelId,
                "{id}"
            );
        }
    }

    #[test]
    fn profile_ids_split_off_the_geo_prefix() {
        for (id, geo) in [
            ("apac.anthropic.claude-3-sonnet-20240229-v1:0", "apac"),
            ("us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0", "us-gov"),
            ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "global"),
            ("jp.anthropic.claude-haiku-4-5-20251001-v1:0", "jp"),
        ] {
            let r = ModelRef::parse(id).unwrap();
            assert_eq!(r.kind, RefKind::SystemProfileId);
            assert_eq!(r.geo.as_deref(), Some(geo));
            assert_eq!(r.profile_id().as_deref(), Some(id));
            assert!(!r.base_id.unwrap().starts_with(geo));
        }
    }

    #[test]
    fn foundation_model_arns_with_and_without_region() {
        let r = ModelRef::parse("arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0").unwrap();
        assert_eq!(r.kind, RefKind::FoundationModelArn);
        assert_eq!(r.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!(r.account, None);
        assert_eq!(
            r.base_id.as_deref(),
            Some("anthropic.claude-3-sonnet-20240229-v1:0")
        );
        let r = ModelRef::parse(
            "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
        )
        .unwrap();
        assert_eq!(r.kind, RefKind::FoundationModelArn);
        assert_eq!(r.region, None);
    }

    #[test]
    fn profile_application_and_provisioned_arns() {
        let r = ModelRef::parse(
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
        )
        .unwrap();
        assert_eq!(r.kind, RefKind::InferenceProfileArn);
        assert_eq!(r.geo.as_deref(), Some("us"));
        assert_eq!(r.account.as_deref(), Some("123456789012"));
        assert_eq!(
            r.profile_id().as_deref(),
            Some("us.anthropic.claude-3-5-haiku-20241022-v1:0")
        );
        let r = ModelRef::parse(
            "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
        )
        .unwrap();
        assert_eq!(r.kind, RefKind::ApplicationProfileArn);
        assert_eq!(r.resource.as_deref(), Some("a1b2c3d4e5f6"));
        assert_eq!(r.base_id, None);
        let r =
            ModelRef::parse("arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abc123xyz")
                .unwrap();
        assert_eq!(r.kind, RefKind::ProvisionedModelArn);
        let r = ModelRef::parse("arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0").unwrap();
        assert_eq!(r.partition.as_deref(), Some("aws-us-gov"));
    }

    #[test]
    fn url_encoded_forms_decode() {
        let r = ModelRef::parse("us.amazon.nova-micro-v1%3A0").unwrap();
        assert_eq!(r.text, "us.amazon.nova-micro-v1:0");
        assert_eq!(r.kind, RefKind::SystemProfileId);
        let r = ModelRef::parse(
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0",
        )
        .unwrap();
        assert_eq!(r.kind, RefKind::InferenceProfileArn);
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
        assert_eq!(
            ModelRef::parse("anthropic.claude-v2%253A1").unwrap().text,
            "anthropic.claude-v2:1"
        );
    }

    #[test]
    fn non_references_are_rejected() {
        for text in [
            "",
            "claude-3-sonnet",
            "anthropic",
            "us.claude",
            "arn:aws:s3:::bucket/key",
            "arn:aws:bedrock:us-east-1:123:knowledge-base/ABC",
            "https://anthropic.com",
            "anthropic. claude",
            "arn:aws:bedrock::123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
        ] {
            assert_eq!(ModelRef::parse(text), None, "{text}");
        }
    }

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("ap-northeast-1"), "aws");
    }
}
