"""Kept on Slack: Bolt routes, listeners, the Block Kit renderer, the notifier and the installation store."""
