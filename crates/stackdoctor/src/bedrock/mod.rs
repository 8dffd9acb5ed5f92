//! Amazon Bedrock knowledge: the model catalogue (data) and how model IDs, profiles and ARNs relate.
