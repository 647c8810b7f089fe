"""Connected components of a boolean mask (4-connected) via row runs and union-find in numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glide_desktop.document.geometry import Rect


@dataclass(frozen=True)
class Runs:
    """Horizontal runs of True pixels: row, start (inclusive), end (exclusive), component label."""

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray


def _find_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)  # H, W+1: +1 where a run starts, -1 where one ends
    rows_s, start = np.nonzero(edges == 1)
    _, end = np.nonzero(edges == -1)
    return rows_s.astype(np.int64), start.astype(np.int64), end.astype(np.int64)


def _touching_pairs(row: np.ndarray, start: np.ndarray, end: np.ndarray, width: int) -> tuple:
    """Index pairs (upper run, lower run) of runs in adjacent rows that share a column."""
    stride = width + 2
    end_key = row * stride + end
    start_key = row * stride + start
    query_row = row - 1  # each run looks at the row above
    first = np.searchsorted(end_key, query_row * stride + start, side="right")
    last = np.searchsorted(start_key, query_row * stride + end, side="left") - 1
    count = np.maximum(0, last - first + 1)
    count[row == 0] = 0
    lower = np.repeat(np.arange(row.size), count)
    offsets = np.arange(lower.size) - np.repeat(np.cumsum(count) - count, count)
    upper = np.repeat(first, count) + offsets
    return upper, lower


def _union_find(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    parent = np.arange(n)
    while True:
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            return parent
        lo, hi = np.minimum(ra, rb)[differ], np.maximum(ra, rb)[differ]
        np.minimum.at(parent, hi, lo)
        while True:  # pointer jumping: every run points straight at its root
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def label_runs(mask: np.ndarray) -> Runs:
    """The runs of mask with a component label per run (labels are the smallest run index)."""
    row, start, end = _find_runs(mask)
    upper, lower = _touching_pairs(row, start, end, mask.shape[1])
    return Runs(row, start, end, _union_find(row.size, upper, lower))


def component_at(mask: np.ndarray, x: int, y: int) -> np.ndarray:
    """Boolean mask of the component containing (x, y) (all False when that pixel is False)."""
    out = np.zeros(mask.shape, bool)
    if not mask[y, x]:
        return out
    runs = label_runs(mask)
    hit = np.nonzero((runs.row == y) & (runs.start <= x) & (runs.end > x))[0][0]
    for i in np.nonzero(runs.label == runs.label[hit])[0]:
        out[runs.row[i], runs.start[i] : runs.end[i]] = True
    return out


def components(mask: np.ndarray) -> list[tuple[Rect, np.ndarray]]:
    """Every component as (bounding rect, boolean mask cropped to that rect), top-to-bottom order."""
    runs = label_runs(mask)
    found = []
    for lab in np.unique(runs.label):
        idx = np.nonzero(runs.label == lab)[0]
        box = Rect.from_edges(int(runs.start[idx].min()), int(runs.row[idx].min()),
                              int(runs.end[idx].max()), int(runs.row[idx].max()) + 1)
        crop = np.zeros((box.h, box.w), bool)
        for i in idx:
            crop[runs.row[i] - box.y, runs.start[i] - box.x : runs.end[i] - box.x] = True
        found.append((box, crop))
    return found
