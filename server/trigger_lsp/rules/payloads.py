"""Rules: payloads."""
