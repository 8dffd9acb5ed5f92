//! Live probes: HTTP endpoints of the app and the EC2 instance metadata service.
