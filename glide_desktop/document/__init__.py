"""The image document: layers, selection, compositing, history commands, file formats (no Qt, no torch)."""
