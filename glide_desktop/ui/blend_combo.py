"""The Layers panel's blend combo: Pass through (groups only) above the blend modes in their sections."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from glide_desktop.document.layer import BlendMode

M = BlendMode
PASS_THROUGH = "pass-through"  # the blend combo's first entry, for groups only
# The combo's sections, as painting programs group them: darken, lighten, contrast, compare, colour,
# then the Porter-Duff operators that mask and clip.
BLEND_GROUPS = (
    (M.NORMAL,), (M.MULTIPLY, M.DARKEN, M.COLOR_BURN), (M.SCREEN, M.LIGHTEN, M.COLOR_DODGE, M.PLUS),
    (M.OVERLAY, M.SOFT_LIGHT, M.HARD_LIGHT), (M.DIFFERENCE, M.EXCLUSION),
    (M.HUE, M.SATURATION, M.COLOR, M.LUMINOSITY),
    (M.DST_IN, M.DST_OUT, M.SRC_ATOP, M.DST_OVER, M.SRC_IN, M.SRC_OUT, M.DST_ATOP, M.XOR),
)


def blend_combo() -> QComboBox:
    """A combo offering Pass through (its data PASS_THROUGH) and every blend mode (its BlendMode)."""
    combo = QComboBox()
    combo.addItem("Pass through", PASS_THROUGH)  # groups only: enabled when one is active
    combo.setItemData(0, "Groups only: the layers inside blend straight with what lies below",
                      Qt.ItemDataRole.ToolTipRole)
    for group in BLEND_GROUPS:
        if combo.count():
            combo.insertSeparator(combo.count())
        for mode in group:
            combo.addItem(mode.label, mode)
    combo.setMaxVisibleItems(len(BlendMode) + len(BLEND_GROUPS) + 1)
    return combo
