"""Rules: in_run."""
