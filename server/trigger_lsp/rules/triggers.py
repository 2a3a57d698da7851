"""Rules: triggers."""
