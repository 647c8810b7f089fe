"""The one error type file operations raise, carrying a message fit to show the user."""

from __future__ import annotations


class DocumentFileError(Exception):
    """A file could not be opened or saved; message says why in plain words."""

    def __init__(self, message: str, path: object = None):
        super().__init__(message)
        self.message = message
        self.path = path
