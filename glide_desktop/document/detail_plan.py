"""One detail pass over a generated result: each round's tiles, their model inputs, the painting.

The engine drives a DetailPlan without knowing any geometry: start() gives the first round's
working image; each round's tiles come in groups (groups()) whose tiles never overlap, painted one
group after the other: tiles() gives a group's inputs (the working image reduced to 64 px, the
pixels to keep, the selection to regenerate), paint() puts the painted tiles into the working image,
next_round() steps to the next round's scale, finish() gives the document-resolution pixels.

In its overlap with tiles painted before, a tile keeps their pixels (known pixels for the model,
which continues their texture) except in a SEAM px band at their inner edge, which it paints again
and blends in with a linear ramp. Pure numpy + Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from glide_desktop.document.detail_tiles import (
    LOW_RES,
    SELECTED,
    TILE,
    detail_region,
    kept_by_earlier,
    paint_groups,
    painted_depth,
    round_scales,
    seam_weight,
    tile_grid,
    touched_tiles,
)
from glide_desktop.document.geometry import Rect
from glide_desktop.document.inpaint_crop import padded_crop


@dataclass(frozen=True)
class TileInput:
    """What the upsample-inpaint model gets for one tile."""

    low_res: np.ndarray  # 64 x 64 x 3 uint8: the working image under the tile, reduced
    known: np.ndarray  # 256 x 256 x 3 uint8: the original document pixels, or what earlier tiles painted
    selection: np.ndarray  # 256 x 256 float32 coverage, 1 = regenerate (0 where earlier tiles' pixels stay)
    rect: tuple[int, int, int, int]  # x, y, w, h in document pixels: where the tile lands (previews)


@dataclass(frozen=True)
class DetailOutput:
    """The pass's result inside the document: new colours where `selected`, the rest untouched."""

    rect: Rect  # document coordinates, inside the document
    rgb: np.ndarray  # rect.h x rect.w x 3 uint8
    selected: np.ndarray  # rect.h x rect.w bool


def resize_rgb(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An H x W x 3 uint8 image at size (width, height), Lanczos; the same array when it already is."""
    if (image.shape[1], image.shape[0]) == size:
        return image
    resized = Image.fromarray(np.ascontiguousarray(image), "RGB").resize(size, Image.Resampling.LANCZOS)
    return np.array(resized)


def resize_coverage(coverage: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Selection coverage at size (width, height), each pixel the selected fraction of its area."""
    if (coverage.shape[1], coverage.shape[0]) == size:
        return coverage
    small = Image.fromarray(np.ascontiguousarray(coverage, np.float32), "F")
    small = small.resize(size, Image.Resampling.BOX)
    return np.clip(np.array(small, np.float32), 0.0, 1.0)


class DetailPlan:
    """The rounds, tiles and blending of one detail pass over `region` of a width x height document."""

    def __init__(self, region: Rect, doc_size: tuple[int, int], original: np.ndarray, current: np.ndarray,
                 coverage: np.ndarray, upscale: float) -> None:
        if original.shape != (region.h, region.w, 3) or current.shape != original.shape:
            raise ValueError(f"original {original.shape} and current {current.shape} must cover {region}")
        if coverage.shape != (region.h, region.w):
            raise ValueError(f"coverage {coverage.shape} must cover {region}")
        self.region, self.doc_size, self.upscale = region, doc_size, upscale
        self.scales = round_scales(upscale)
        if not self.scales:
            raise ValueError(f"the result is already at the document's resolution (upscale {upscale:.2f}x)")
        self.sizes = [self._working_size(scale) for scale in self.scales]
        self._current = current
        self._original = [resize_rgb(original, size) for size in self.sizes]
        self._coverage = [resize_coverage(np.asarray(coverage, np.float32), size) for size in self.sizes]
        self._tiles: list[list[Rect]] = []
        self._groups: list[list[list[int]]] = []
        self._depths: list[list[np.ndarray]] = []  # per round and tile: painted_depth in painting order
        for size, cover in zip(self.sizes, self._coverage):
            self._order_round(touched_tiles(tile_grid(*size), cover), cover)

    def _order_round(self, touched: list[Rect], coverage: np.ndarray) -> None:
        """A round's tiles in painting order and groups, leaving out those with nothing left to paint."""
        tiles: list[Rect] = []
        groups: list[list[int]] = []
        depths: list[np.ndarray] = []
        for group in paint_groups(touched):
            earlier = list(tiles)  # the tiles of the groups before: they do not overlap one another
            kept: list[int] = []
            for index in group:
                rect = touched[index]
                depth = painted_depth(rect, earlier)
                if not np.any((coverage[rect.slices()] >= SELECTED) & ~kept_by_earlier(depth)):
                    continue  # every selected pixel is kept from earlier tiles: nothing to paint
                kept.append(len(tiles))
                tiles.append(rect)
                depths.append(depth)
            if kept:
                groups.append(kept)
        self._tiles.append(tiles)
        self._groups.append(groups)
        self._depths.append(depths)

    @classmethod
    def from_document(cls, original: np.ndarray, current: np.ndarray, coverage: np.ndarray,
                      upscale: float) -> DetailPlan:
        """A plan from whole-document arrays: RGB H x W x 3 before/after the result, coverage H x W."""
        height, width = coverage.shape
        rows = np.flatnonzero((coverage >= SELECTED).any(axis=1))
        if rows.size == 0:
            raise ValueError("the selection is empty: nothing to detail")
        cols = np.flatnonzero((coverage[rows[0]: rows[-1] + 1] >= SELECTED).any(axis=0))
        bbox = Rect.from_edges(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
        region = plan_region(bbox, width, height, upscale)
        return cls(region, (width, height), padded_crop(original, region, "edge"),
                   padded_crop(current, region, "edge"), padded_crop(coverage, region, "constant"), upscale)

    def _working_size(self, scale: float) -> tuple[int, int]:
        if scale >= 1.0:
            return self.region.w, self.region.h
        return max(TILE, round(self.region.w * scale)), max(TILE, round(self.region.h * scale))

    @property
    def rounds(self) -> int:
        """How many rounds the pass takes (one unless the upscale is above 4x)."""
        return len(self.scales)

    @property
    def tile_counts(self) -> list[int]:
        """Tiles per round (tiles the selection does not touch are already left out)."""
        return [len(tiles) for tiles in self._tiles]

    @property
    def total_tiles(self) -> int:
        """Tiles over all rounds."""
        return sum(self.tile_counts)

    def start(self) -> np.ndarray:
        """The first round's working image: the current result over the region at that round's scale."""
        return resize_rgb(self._current, self.sizes[0])

    def groups(self, index: int) -> list[list[int]]:
        """Round `index`'s tiles in painting order: groups of tile numbers that never overlap each other."""
        return [list(group) for group in self._groups[index]]

    def tiles(self, index: int, working: np.ndarray, group: int) -> list[TileInput]:
        """The model inputs of group `group` of round `index`, read from its working image with the
        groups before painted in."""
        original, coverage = self._original[index], self._coverage[index]
        inputs = []
        for tile in self._groups[index][group]:
            rect = self._tiles[index][tile]
            area, cover = rect.slices(), coverage[rect.slices()]
            kept = kept_by_earlier(self._depths[index][tile])  # painted before, deeper than the seam
            inputs.append(TileInput(
                low_res=resize_rgb(working[area], (LOW_RES, LOW_RES)),
                known=np.where((kept & (cover >= SELECTED))[..., None], working[area], original[area]),
                selection=np.where(kept, np.float32(0), cover).astype(np.float32),
                rect=self._document_rect(index, rect)))
        return inputs

    def _document_rect(self, index: int, rect: Rect) -> tuple[int, int, int, int]:
        """A working rect of round `index` in document pixels (rounded)."""
        sx = self.region.w / self.sizes[index][0]
        sy = self.region.h / self.sizes[index][1]
        left, top = self.region.x + round(rect.x * sx), self.region.y + round(rect.y * sy)
        return left, top, round(rect.w * sx), round(rect.h * sy)

    def paint(self, index: int, working: np.ndarray, group: int, painted: list[np.ndarray]) -> np.ndarray:
        """Round `index`'s working image with group `group`'s painted tiles (tile x tile x 3 uint8) in:
        selected pixels only, the seam band blended with the pixels painted before."""
        tiles = self._groups[index][group]
        if len(painted) != len(tiles):
            raise ValueError(f"{len(tiles)} tiles but {len(painted)} images")
        out = working.copy()
        for tile, image in zip(tiles, painted):
            rect = self._tiles[index][tile]
            if image.shape != (rect.h, rect.w, 3):
                raise ValueError(f"a tile image is {image.shape}, its tile is {rect}")
            area = out[rect.slices()]  # a view: writing it writes out
            weight = seam_weight(self._depths[index][tile])[..., None]
            mixed = np.rint(weight * image + (1.0 - weight) * area).astype(np.uint8)
            selected = self._coverage[index][rect.slices()] >= SELECTED
            area[selected] = mixed[selected]
        return out

    def next_round(self, index: int, working: np.ndarray) -> np.ndarray:
        """Round `index`'s painted working image at the next round's scale (as it is after the last)."""
        return working if index + 1 >= self.rounds else resize_rgb(working, self.sizes[index + 1])

    def finish(self, working: np.ndarray) -> DetailOutput:
        """The last round's image, restricted to the document."""
        inside = self.region.clip(*self.doc_size)
        local = inside.translate(-self.region.x, -self.region.y).slices()
        selected = self._coverage[-1][local] >= SELECTED
        return DetailOutput(inside, np.ascontiguousarray(working[local]), selected)


def plan_region(bbox: Rect, width: int, height: int, upscale: float) -> Rect:
    """The region a pass works on: the selection's box, grown so the smallest round still holds a tile."""
    scales = round_scales(upscale)
    smallest = scales[0] if scales else 1.0
    return detail_region(bbox, width, height, int(np.ceil(TILE / smallest)))


def apply_detail(pixels: np.ndarray, offset: tuple[int, int],
                 output: DetailOutput) -> tuple[Rect, np.ndarray]:
    """A layer's pixels (at offset) with the pass's colours where it is selected and visible.

    Returns the changed rect (layer coordinates) and the new pixels there; alpha and every pixel
    outside the selection stay bit-identical.
    """
    layer_rect = Rect(offset[0], offset[1], pixels.shape[1], pixels.shape[0])
    inside = output.rect.intersect(layer_rect)
    local = inside.translate(-offset[0], -offset[1])
    after = pixels[local.slices()].copy()
    source = inside.translate(-output.rect.x, -output.rect.y).slices()
    replace = output.selected[source] & (after[..., 3] > 0)
    after[..., :3][replace] = output.rgb[source][replace]
    return local, after
