"""PDF intake: inspection (refuse what must not enter), image conversion, merging. No models."""
