"""The one error type file operations raise, carrying a message fit to show the user."""

from __future__ import annotations


class DocumentFileError(Exception):
    """A file could not be opened or saved; message says why in plain words."""

    def __init__(self, message: str, path: object = None):
        super().__init__(message)
        self.message = message
        self.path = path


class ReadOnlyFileError(DocumentFileError):
    """The file to save over is read-only; the caller may ask the user and retry with overwrite."""


def naming_file(error: DocumentFileError, name: str, path: object = None) -> DocumentFileError:
    """The same error with the file's name in its message (unchanged when it already names it)."""
    if name and name not in error.message:
        message = error.message
        if len(message) > 1 and message[0].isupper() and message[1].islower():
            message = message[0].lower() + message[1:]  # "Cannot open a.ora: the layer ..."
        error = DocumentFileError(f"Cannot open {name}: {message}", path or error.path)
    elif path is not None and error.path is None:
        error.path = path
    return error


def unexpected_read_error(exc: BaseException, name: str, path: object = None) -> DocumentFileError:
    """A plain message for a failure nobody anticipated while reading (damaged, hostile or exotic data)."""
    if isinstance(exc, MemoryError):
        return DocumentFileError(f"Cannot open {name}: there is not enough memory to read it.", path)
    if isinstance(exc, RecursionError):
        return DocumentFileError(f"Cannot open {name}: its structure is nested too deeply.", path)
    if isinstance(exc, NotImplementedError):
        return DocumentFileError(f"Cannot open {name}: it uses an unsupported feature ({exc}).", path)
    detail = str(exc) or type(exc).__name__
    return DocumentFileError(f"Cannot open {name}: the file is damaged or unusual ({detail}).", path)
