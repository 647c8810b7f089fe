"""Image ▸ Adjustments: Hue/Saturation, Brightness/Contrast, Levels and Curves with a live canvas preview."""

from glide_desktop.ui.adjustments.controller import AdjustmentsMenu

__all__ = ["AdjustmentsMenu"]
