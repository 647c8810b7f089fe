"""GLIDE Desktop: a layered image editor with text-guided inpainting by GLIDE."""

__version__ = "0.1.0"
