"""Which engine errors carry a message written for the user (no torch: safe for the CLI and the jobs)."""

from __future__ import annotations

import sys

from glide_desktop.engine.types import InvalidRequest

# Engine errors whose messages are written for the user: (module, class name).
USER_ERRORS = (
    ("glide_desktop.engine.device", "DeviceError"),
    ("glide_desktop.engine.checkpoints", "CheckpointError"),  # includes MissingModelError
    ("glide_desktop.engine.tokenizers", "TokenizerFileError"),
)


def user_message(error: BaseException) -> str | None:
    """The message to show for an error the user can fix, or None for an unexpected one (a bug)."""
    if isinstance(error, InvalidRequest):
        return str(error)
    for module_name, class_name in USER_ERRORS:
        # Only modules already imported can have raised it; never import torch just to check.
        module = sys.modules.get(module_name)
        error_class = getattr(module, class_name, None)
        if error_class is not None and isinstance(error, error_class):
            return str(error)
    return None
