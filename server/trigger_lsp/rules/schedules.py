"""Rules: schedules."""
