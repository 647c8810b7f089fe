"""The one message for tools and actions that need a raster layer while a group is active."""

from __future__ import annotations

from glide_desktop.document.document import Document


def group_refusal(doc: Document | None, what: str) -> str | None:
    """Why what (a verb: "paint", "adjust") cannot act on the active node: a group; None when it can."""
    node = doc.active_node if doc is not None else None
    if node is None or not node.is_group:
        return None
    return f"“{node.name[:60]}” is a group: choose a layer inside it to {what}"
