//! Finds the app's Bedrock use in source files: model IDs, region literals, SDK clients.
