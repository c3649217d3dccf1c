"""Pure logic of the registry (no Django import): numbering, recipients block, dispatch rules."""
