"""The logger Kept's Slack clients write to, which redacts tokens and secrets from every record.

slack_sdk logs whole request and response bodies at DEBUG, and `oauth.v2.access` answers with a bot token.
"""

from __future__ import annotations

import logging
import re

SECRET = re.compile(
    r"\b(xox[a-z]-|xapp-)[\w-]+|(client_secret|access_token|refresh_token|bot_token)"
    r"(['\"]?\s*[:=]\s*['\"]?)[^'\",&\s}]+"
)


def redact(text: str) -> str:
    return SECRET.sub(
        lambda m: f"{m.group(1)}(redacted)" if m.group(1) else f"{m.group(2)}{m.group(3)}(redacted)", text
    )


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def web_logger() -> logging.Logger:
    """`kept.slack.web`, with the redacting filter on it (once)."""
    logger = logging.getLogger("kept.slack.web")
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
    return logger
