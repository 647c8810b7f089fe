"""The CLI's file side: reading source images and masks, writing PNGs with metadata, a progress bar."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

import numpy as np
from PIL import Image, PngImagePlugin

from glide_desktop.document.files.errors import DocumentFileError
from glide_desktop.document.files.images import read_image
from glide_desktop.engine.types import IMAGE_SIZE, IMAGE_SIZE_BASE, GenerationRequest, InvalidRequest

SOURCE_SIZE = IMAGE_SIZE
MASK_SIZE = IMAGE_SIZE_BASE


def read_rgba(path: Path, what: str, notes: TextIO | None = None) -> np.ndarray:
    """Decode path with the editor's own reader (same pixels, EXIF turn and limits): H, W, 4 uint8.

    What the user should know about the file (only its first frame was read) goes to notes (stderr).
    """
    try:
        decoded = read_image(path, name=str(path))
    except DocumentFileError as error:
        raise InvalidRequest(f"{what}: {error.message}") from None
    for note in decoded.notes:
        (notes or sys.stderr).write(f"note: {note}\n")
    return decoded.pixels


def center_square(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centered square box (left, top, right, bottom) inside a width x height image."""
    width, height = size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return left, top, left + side, top + side


def read_rgb(path: Path, what: str = "source image") -> Image.Image:
    """An image file as RGB at its own size (the editor's decoder); transparent pixels become white."""
    rgba = Image.fromarray(read_rgba(path, what), "RGBA")
    # Transparent pixels become white rather than whatever color the file stored under them.
    return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")


def read_mask(path: Path, size: tuple[int, int]) -> Image.Image:
    """A mask file (white = regenerate) as 8-bit gray at its own size, which must be the image's."""
    mask = Image.fromarray(read_rgba(path, "mask"), "RGBA")
    if mask.size != size:
        raise InvalidRequest(
            f"the mask is {mask.size[0]}x{mask.size[1]} but the image is {size[0]}x{size[1]}; "
            "they must be the same size"
        )
    return mask.convert("L")


def load_source(path: Path) -> tuple[np.ndarray, tuple[int, int]]:
    """An image of any size, center-cropped to a square and resized to 256x256 RGB uint8; also its size."""
    image = read_rgb(path)
    square = image.crop(center_square(image.size))
    resized = square.resize((SOURCE_SIZE, SOURCE_SIZE), Image.Resampling.LANCZOS)
    return np.asarray(resized, dtype=np.uint8).copy(), image.size


def load_selection(path: Path, image_size: tuple[int, int]) -> np.ndarray:
    """A mask PNG (white = regenerate) cropped like the source, as 64x64 float32 coverage in [0, 1]."""
    gray = read_mask(path, image_size).crop(center_square(image_size))
    # Box filter: each 64 px cell gets the fraction of its area that is selected.
    small = gray.resize((MASK_SIZE, MASK_SIZE), Image.Resampling.BOX)
    coverage = np.asarray(small, dtype=np.float32) / 255.0
    if not np.any(coverage > 0):
        raise InvalidRequest(f"the mask {path} is all black: paint the area to regenerate in white")
    return coverage


def load_picture(path: Path) -> np.ndarray:
    """A whole image (the editor's decoder) as H x W x 3 uint8 RGB, or H x W x 4 RGBA with transparency."""
    rgba = read_rgba(path, "source image")
    return rgba if (rgba[..., 3] < 255).any() else rgba[..., :3].copy()


def load_coverage(path: Path, size: tuple[int, int]) -> np.ndarray:
    """A mask PNG (white = regenerate, grey = partly) as H x W float32 coverage in [0, 1]."""
    mask = read_mask(path, size)
    coverage = np.asarray(mask, dtype=np.float32) / 255.0
    if not np.any(coverage > 0):
        raise InvalidRequest(f"the mask {path} is all black: paint the area to regenerate in white")
    return coverage


def whole_image_path(pattern: str, seed: int, index: int) -> Path:
    """Where candidate `index` of a whole-image inpaint goes: OUT for the first, OUT-1, OUT-2 ... after it."""
    path = output_path(pattern, seed, index, 1)
    if index > 0 and "{index}" not in pattern:
        path = path.with_name(f"{path.stem}-{index}{path.suffix}")
    return path


def output_path(pattern: str, seed: int, index: int, count: int) -> Path:
    """Fill {seed}/{index} into the output pattern; add -index when several images share one name."""
    try:
        filled = pattern.format(seed=seed, index=index)
    except (KeyError, IndexError, ValueError) as error:
        known = "only {seed} and {index} are known"
        raise InvalidRequest(f"bad --output pattern {pattern!r}: {known}") from error
    path = Path(filled)
    if count > 1 and "{index}" not in pattern:
        path = path.with_name(f"{path.stem}-{index}{path.suffix}")
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    return path


def png_metadata(request: GenerationRequest, candidate: int,
                 extra: dict[str, object] | None = None) -> PngImagePlugin.PngInfo:
    """Text chunks that record how an image was made (prompt, seed, settings and any extra fields)."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("prompt", request.prompt)
    if request.negative_prompt:
        info.add_itxt("negative_prompt", request.negative_prompt)
    fields: dict[str, object] = {
        "seed": request.seed, "candidate": candidate, "mode": request.mode.value,
        "sampler": request.sampler.value, "steps": request.steps,
    }
    if request.upsample:
        fields["upsample_steps"] = request.upsample_steps
        if request.upsample_sampler is not None:
            fields["upsample_sampler"] = request.upsample_sampler.value
    # The two guidances exclude each other: record only the one that steered the image.
    if request.clip_guidance > 0:
        fields["clip_guidance"] = request.clip_guidance
    else:
        fields["guidance"] = request.guidance
    fields.update(extra or {})
    for key, value in fields.items():
        info.add_text(key, str(value))
    info.add_text("Software", "GLIDE Desktop")
    return info


def save_png(image: np.ndarray, path: Path, request: GenerationRequest, candidate: int,
             extra: dict[str, object] | None = None) -> Path:
    """Write an H x W x 3 (or 4, RGBA) uint8 image as PNG with its metadata, creating the folder if needed.

    Written next to its final name and renamed over it, so an interrupted run never leaves half a PNG.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    array = np.asarray(image, dtype=np.uint8)
    pixels = Image.fromarray(array, "RGBA" if array.shape[-1] == 4 else "RGB")
    partial = path.with_name(path.name + ".part")
    try:
        pixels.save(partial, format="PNG", pnginfo=png_metadata(request, candidate, extra))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


class ProgressBar:
    """A plain-text progress bar: redrawn in place on a terminal, a line per 10% otherwise."""

    WIDTH = 30

    def __init__(self, stream: TextIO = sys.stderr, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._last_line: tuple[str, int] | None = None
        self._drawn = False

    def update(self, stage: str, step: int, total: int) -> None:
        """Show that `step` of `total` steps of `stage` are done."""
        if not self.enabled or total <= 0:
            return
        filled = self.WIDTH * step // total
        text = f"{stage:<8} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {step}/{total}"
        if self.interactive:
            self.stream.write("\r" + text)
            self._drawn = True
        else:
            decile = 10 * step // total
            if self._last_line != (stage, decile):
                self.stream.write(text + "\n")
                self._last_line = (stage, decile)
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line."""
        if self.enabled and self.interactive and self._drawn:
            self.stream.write("\n")
            self.stream.flush()

