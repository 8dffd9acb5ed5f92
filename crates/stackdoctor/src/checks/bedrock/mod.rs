//! Checks of one family: Amazon Bedrock model IDs, regions and access.

pub mod bedrock_inference_profile_required;
pub mod bedrock_invalid_model_id;
pub mod bedrock_marketplace_permission_missing;
pub mod bedrock_model_end_of_life;
pub mod bedrock_model_not_in_region;
pub mod support;
