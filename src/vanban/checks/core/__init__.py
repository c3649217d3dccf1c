"""Pure logic of the twice-daily check (R10.2): no Django import."""
