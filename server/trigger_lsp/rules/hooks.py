"""Rules: hooks."""
