"""Tests import the tiny official-format models from here; they live in the package for the selftest."""

from glide_desktop.engine.tiny_models import write_tiny_clip, write_tiny_models

__all__ = ["write_tiny_clip", "write_tiny_models"]
