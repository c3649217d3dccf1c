"""Stand-alone evidence bundle verifier (pure)."""
