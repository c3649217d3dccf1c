"""One search across outgoing, incoming, work and files, with Vietnamese diacritics folded."""
