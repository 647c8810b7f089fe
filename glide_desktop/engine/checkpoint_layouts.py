"""Checkpoint layouts (parameter name -> shape) and how much two of them resemble each other."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from torch import Tensor, nn

Layout = dict[str, tuple[int, ...]]
LayoutSource = nn.Module | Mapping[str, Tensor] | Mapping[str, Sequence[int]]
# Checkpoint name -> a callable building its layout; called only when an error needs it.
Candidates = Mapping[str, Callable[[], LayoutSource]]

MIN_RESEMBLANCE = 0.5  # below this share of matching weights a file "looks like" nothing


def layout_of(source: LayoutSource) -> Layout:
    """The name -> shape layout of a module's state_dict, a state_dict, or a name -> shape mapping."""
    if isinstance(source, nn.Module):
        source = source.state_dict(keep_vars=True)
    return {
        name: tuple(value.shape) if isinstance(value, Tensor) else tuple(value)
        for name, value in source.items()
    }


def resemblance(found: Layout, known: Layout) -> float:
    """Share of weights present in both with equal shapes, over the larger layout: 1.0 means identical."""
    if not found and not known:
        return 1.0
    same = sum(1 for name, shape in found.items() if known.get(name) == shape)
    return same / max(len(found), len(known))


def closest_layout(found: Layout, candidates: Candidates,
                   prefer: str | None = None) -> tuple[str, float] | None:
    """The candidate name found resembles most and its score, or None when nothing reaches MIN_RESEMBLANCE.

    On a tie prefer wins (the file that was asked for): one wrong shape in base_inpaint.pt makes it as
    close to base.pt as to itself, and "looks like base.pt" would send the user the wrong way.
    """
    best: tuple[str, float] | None = None
    for name, build in candidates.items():
        score = resemblance(found, layout_of(build()))
        if best is None or score > best[1] or (score == best[1] and name == prefer):
            best = (name, score)
    if best is None or best[1] < MIN_RESEMBLANCE:
        return None
    return best


def matching_name(wanted: Layout, candidates: Candidates) -> str | None:
    """The first candidate whose layout is exactly wanted, or None."""
    for name, build in candidates.items():
        if layout_of(build()) == wanted:
            return name
    return None
