"""Logging filters (loaded by the LOGGING setting, before the apps: standard library only)."""

import logging


class RefusedHost(logging.Filter):
    """One fixed line for a refused Host header: no traceback, no attacker-chosen text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = "Refused a request whose Host header is not in ALLOWED_HOSTS"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True
