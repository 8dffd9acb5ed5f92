//! Keeps secrets out of every output: the masking of the `secretmask`
//! crate, with the secret values this run's model read.

use crate::model::StackModel;
pub use secretmask::{is_secret_name, mask_json, mask_patterns, mask_then_shorten, Masker};

/// A masker for everything printed about `model`: secret patterns, and the
/// values of secret-named variables of every service and env file.
pub fn masker_for(model: &StackModel) -> Masker {
    Masker::with_values(
        model
            .services
            .iter()
            .flat_map(|s| &s.environment)
            .filter(|e| is_secret_name(&e.name))
            .filter_map(|e| e.value.clone())
            .chain(model.secret_values.iter().cloned()),
    )
}
