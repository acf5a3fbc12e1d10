"""Pure parsers for source formats (no network, no database)."""
