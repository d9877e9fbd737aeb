"""Logging for the console server and the command line: one line per event, with a time stamp, and never
a member's personal data.

- Format: `2026-12-05T21:40:00Z INFO services.outbox: referral 12: sent (attempt 1)`: UTC time, level,
  logger, message. Messages name records by id and outcomes by code (services/outbox.py), never a name,
  an address or a note.
- An exception's text may quote what was typed or stored (a pydantic error repeats the input, a database
  error its parameters): a logged exception keeps its type and frames, its text is replaced
  (WithoutExceptionText). As a last net, any e-mail address left in a message is masked.
- The console's own loggers (console, services, db, cli) log at INFO; others (libraries) at WARNING.
  `send-outbox --verbose` turns on its per-message lines; without it the command line logs warnings only.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from typing import TextIO

from advisory.text import redact_addresses

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
OWN_LOGGERS = ("console", "services", "db", "cli")
_HANDLER_NAME = "advice-console"


class WithoutExceptionText(logging.Filter):
    """Keep a logged traceback's frames but not the exception's text, which may quote what was typed
    (a pydantic error repeats the input, a database error its values): logs carry no personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            kind, _value, trace = record.exc_info
            frames = "".join(traceback.format_tb(trace))
            record.msg = f"{record.getMessage()}: {kind.__name__} (its text is not logged)\n{frames}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class WithoutAddresses(logging.Filter):
    """Mask any e-mail address a message still carries (an SMTP server's reply quotes the recipient)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact_addresses(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _formatter() -> logging.Formatter:
    formatter = logging.Formatter(FORMAT, datefmt=DATE_FORMAT)
    formatter.converter = time.gmtime
    return formatter


def configure(*, verbose: bool = True, stream: TextIO | None = None) -> logging.Handler:
    """Send the console's log lines to `stream` (standard error), time-stamped and filtered; idempotent.

    `verbose`: the console's own loggers log INFO (the server, `send-outbox --verbose`); otherwise WARNING.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(WithoutExceptionText())
        handler.addFilter(WithoutAddresses())
        root.addHandler(handler)
    elif isinstance(handler, logging.StreamHandler):
        target = stream or sys.stderr  # standard error as it is now (a test's capture may have replaced it)
        if handler.stream is not target:
            if getattr(handler.stream, "closed", False):
                handler.stream = target  # setStream would flush the closed one first
            else:
                handler.setStream(target)
    handler.setFormatter(_formatter())
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    return handler
