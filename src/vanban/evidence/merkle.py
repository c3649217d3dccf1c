"""RFC 9162-style Merkle tree (pure)."""
