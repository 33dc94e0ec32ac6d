"""Microsoft Teams: the Bot Framework adapter, Adaptive Cards, proactive delivery and the app package."""
