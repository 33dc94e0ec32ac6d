"""Which OAuth scope each Slack Web API method Kept calls needs: the manifest asks for exactly these."""

from __future__ import annotations

# Web API method -> bot scope it needs (None: no scope). Every method the code calls has a row, and no row
# is here that the code no longer calls: tests/bot/slack/test_manifest.py reads the code and checks both.
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,  # the bot's own ids: as a server starts (bot/slack/identity.py), and in Bolt's OAuth install
    "oauth.v2.access": None,  # Bolt's OAuth flow, exchanging the code at /slack/oauth_redirect
    "chat.postMessage": "chat:write",  # nudges and digests (SlackNotifier)
    "users.info": "users:read",  # a person's name and time zone, on first contact
    "views.open": None,  # modals (forms), opened with a trigger_id
    "views.publish": None,  # the Home tab
    "apps.connections.open": None,  # Socket Mode (`kept serve --socket`), with the app-level token's own scope
}

# Methods Bolt calls on Kept's behalf (the rest are called in bot/slack/ by name).
CALLED_BY_BOLT = frozenset({"oauth.v2.access", "apps.connections.open"})

# Scopes a feature needs rather than a method: the slash command and the message shortcut.
FEATURE_SCOPES: dict[str, str] = {"commands": "/partner and the 'Make this a commitment' shortcut"}


def bot_scopes() -> list[str]:
    """The bot scopes Kept needs, sorted: what manifest.yml and the OAuth install ask for."""
    needed = {scope for scope in METHOD_SCOPES.values() if scope} | set(FEATURE_SCOPES)
    return sorted(needed)
