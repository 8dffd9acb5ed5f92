//! AWS IAM identity policies: parsing with positions and request evaluation.
