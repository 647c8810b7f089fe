"""The engine's checkpoint layout check as a ModelChecker for imports (imports torch on first use).

Only the composition root (app.py) and tests import this module; the Model Files dialog receives the
checker, so the user interface never imports the engine's torch side.
"""

from __future__ import annotations

from pathlib import Path

from glide_desktop.jobs.model_import import ModelImportError


class EngineModelChecker:
    """Reads a file's names and shapes (no pickled code runs) and compares them with the folder's networks."""

    def identify(self, folder: Path, source: Path) -> str | None:
        """The official name whose layout, as folder expects it, source has; None when none fits."""
        from glide_desktop.engine.checkpoints import CheckpointError
        from glide_desktop.engine.models import ModelStore

        try:
            return ModelStore(folder).identify(source)
        except CheckpointError as error:
            raise ModelImportError(str(error)) from None

    def check(self, folder: Path, name: str, source: Path) -> None:
        """Raise ModelImportError (saying what the file looks like) unless it fits folder's `name`."""
        from glide_desktop.engine.checkpoints import CheckpointError
        from glide_desktop.engine.models import ModelStore

        try:
            ModelStore(folder).check_file(name, source)
        except CheckpointError as error:
            raise ModelImportError(str(error)) from None
