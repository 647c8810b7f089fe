"""GLIDE's noised CLIP: image and text encoders and the CLIP guidance gradient."""

from glide_desktop.engine.clip.config import OFFICIAL, TINY, ClipConfig
from glide_desktop.engine.clip.guidance import ClipGuidance
from glide_desktop.engine.clip.model import ClipImageEncoder, ClipTextEncoder

__all__ = ["OFFICIAL", "TINY", "ClipConfig", "ClipGuidance", "ClipImageEncoder", "ClipTextEncoder"]
