"""Before generating: the context square on the canvas with its resolution, and the time estimate."""

from __future__ import annotations

from glide_desktop.document.document import Document
from glide_desktop.engine.types import STAGE_BASE
from glide_desktop.ui.canvas.generation_overlay import GenerationOverlay
from glide_desktop.ui.generate_panel import GeneratePanel
from glide_desktop.ui.generation_runs import context_square, resolution_advice, resolution_note
from glide_desktop.ui.timing import StepTimes, format_duration


def show_context_frame(doc: Document | None, panel: GeneratePanel, overlay: GenerationOverlay | None) -> None:
    """Frame the square the model will see (canvas) and say what resolution it gets (panel)."""
    square = context_square(doc, panel.context_spin.value() / 100.0, panel.mode()) if doc else None
    if square is None:
        panel.show_resolution("", False)
    else:
        panel.show_resolution(*resolution_advice(square.w))
    if overlay is None:
        return  # none, or busy showing staged results
    if square is None or doc.selection.is_empty():
        overlay.show_frame(None)
    else:
        overlay.show_frame(square, *resolution_note(square.w))


def show_estimate(panel: GeneratePanel, times: StepTimes) -> None:
    """The chosen quality's expected time from the step times measured on this machine."""
    count = panel.candidates_spin.value()
    steps, up_steps = panel.advanced.steps_spin.value(), panel.advanced.upsample_steps_spin.value()
    base = times.estimate(count, steps, up_steps, 0)
    each = times.estimate(0, steps, up_steps, 1)
    guessed = "" if times.measured(STAGE_BASE) else " (a first guess until a run is timed here)"
    panel.show_estimate(f"About {format_duration(base)} for {count} candidate{'s' * (count > 1)}, "
                        f"then {format_duration(each)} per upsampled one{guessed}")
