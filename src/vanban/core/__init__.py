"""Shared kernel: clock, errors, roles, the actor protocol. Imports nothing from other apps."""
