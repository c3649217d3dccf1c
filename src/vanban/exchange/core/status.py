"""edXML status messages (pure)."""
