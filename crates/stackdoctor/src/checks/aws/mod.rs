//! Checks of one family: AWS credentials, region, instance metadata and IAM.

pub mod aws_credentials_invalid;
pub mod aws_imds_hop_limit;
pub mod aws_no_credentials;
pub mod aws_region_mismatch;
pub mod iam_explicit_deny;
pub mod iam_missing_bedrock_permission;
pub mod support;
