"""edXML codec (pure)."""
