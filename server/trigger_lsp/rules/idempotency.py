"""Rules: idempotency."""
