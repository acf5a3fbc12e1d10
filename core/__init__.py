"""What every layer shares and none owns: settings, secret redaction, the shared vocabulary."""
