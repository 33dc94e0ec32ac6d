"""The console platform: `kept chat`, a terminal on the same handlers and storage as Slack and Teams."""
