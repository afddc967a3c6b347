"""The exit statuses of the gutnerve command, in one place (see README)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success
    INTERNAL_ERROR = 1  # a bug in gutnerve: one line on stderr, please report it
    BAD_INPUT = 2  # bad usage or bad input: unknown flag, malformed case or knowledge base
    INTERRUPTED = 130  # Ctrl-C
