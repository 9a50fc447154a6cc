"""Keeping the bot's secrets out of the logs: the token and the webhook secret, wherever logged."""

from __future__ import annotations

import logging
import sys

_REDACTED = "[redacted]"


class SecretFilter(logging.Filter):
    """Removes secrets from every record: httpx and PTB log URLs that hold the bot token, and
    PTB's debug log shows setWebhook's secret_token."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        found: list[str] = []
        for secret in secrets:
            found += [secret, secret.split(":", 1)[-1]]  # a token's part after ":" is the key
        self.secrets = [s for s in dict.fromkeys(found) if len(s) >= 8]

    def redact(self, text: str) -> str:
        """`text` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, _REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message, traceback and stack of `record`; never drop it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: logging reports it itself
            return True
        if any(secret in message for secret in self.secrets):
            record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def protect_secrets(*secrets: str) -> SecretFilter:
    """Install a SecretFilter on every root handler and quieten httpx's per-request logs."""
    secret_filter = SecretFilter(*secrets)
    root = logging.getLogger()
    if not root.handlers:  # Python's last-resort handler would print records unfiltered
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stderr)
    for handler in root.handlers:
        handler.addFilter(secret_filter)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return secret_filter
