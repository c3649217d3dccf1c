"""Tables of the one-stop desk: the procedure catalogue (versioned) and the dossiers."""
