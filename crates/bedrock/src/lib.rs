//! Amazon Bedrock knowledge: the model catalogue (data) and how model IDs, profiles and ARNs relate.
//!
//! - [`sdk`]: the SDKs that create Bedrock clients (the region variables
//!   each reads) and the runtime operations (the IAM action each needs).
//! - [`ids`]: parsing what an app passes as `modelId` (foundation-model ID,
//!   system inference-profile ID, the Bedrock ARNs, percent-encoded forms).
//! - [`catalogue`]: the dated model catalogue (`data/models.toml`):
//!   on-demand Regions, system profiles per geography and their source and
//!   destination Regions, lifecycle, Marketplace; and the questions asked of
//!   it: [`Catalogue::availability`], [`Catalogue::required_arns`],
//!   [`Catalogue::nearest`], [`Catalogue::is_region`].

pub mod catalogue;
pub mod ids;
pub mod sdk;

pub use catalogue::{
    Availability, Catalogue, CatalogueError, Geography, Lifecycle, LifecycleStatus, ModelEntry,
    ProfileEntry, ProfileOption, RequiredArn,
};
pub use ids::{ModelRef, RefKind};
pub use sdk::{Operation, Sdk};

/// Whether `code` is an AWS Region code known to the embedded catalogue
/// (commercial, GovCloud or China).
pub fn is_region(code: &str) -> bool {
    Catalogue::embedded().is_region(code)
}
