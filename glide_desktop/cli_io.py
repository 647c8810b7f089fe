"""The CLI's file side: reading source images and masks, writing PNGs with metadata, a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import numpy as np
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from glide_desktop.engine.types import GenerationRequest, InvalidRequest

SOURCE_SIZE = 256
MASK_SIZE = 64


def _open(path: Path, what: str) -> Image.Image:
    try:
        image = Image.open(path)
        image.load()
    except FileNotFoundError:
        raise InvalidRequest(f"{what} {path} does not exist") from None
    except (UnidentifiedImageError, OSError) as error:
        raise InvalidRequest(f"{what} {path} is not a readable image ({error})") from None
    except Image.DecompressionBombError:
        raise InvalidRequest(f"{what} {path} is too large to open safely") from None
    return image


def center_square(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centered square box (left, top, right, bottom) inside a width x height image."""
    width, height = size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return left, top, left + side, top + side


def read_rgb(path: Path, what: str = "source image") -> Image.Image:
    """An image file as RGB at its own size; transparent pixels become white."""
    image = _open(path, what)
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent pixels become white rather than whatever color the file stored under them.
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return image.convert("RGB")


def read_mask(path: Path, size: tuple[int, int]) -> Image.Image:
    """A mask file (white = regenerate) as 8-bit gray at its own size, which must be the image's."""
    mask = _open(path, "mask")
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


def png_metadata(request: GenerationRequest, candidate: int) -> PngImagePlugin.PngInfo:
    """Text chunks that record how an image was made (prompt, seed and settings)."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("prompt", request.prompt)
    if request.negative_prompt:
        info.add_itxt("negative_prompt", request.negative_prompt)
    fields: dict[str, object] = {
        "seed": request.seed, "candidate": candidate, "mode": request.mode.value,
        "sampler": request.sampler.value, "steps": request.steps,
    }
    # The two guidances exclude each other: record only the one that steered the image.
    if request.clip_guidance > 0:
        fields["clip_guidance"] = request.clip_guidance
    else:
        fields["guidance"] = request.guidance
    for key, value in fields.items():
        info.add_text(key, str(value))
    info.add_text("Software", "GLIDE Desktop")
    return info


def save_png(image: np.ndarray, path: Path, request: GenerationRequest, candidate: int) -> Path:
    """Write an H x W x 3 uint8 image as PNG with its metadata, creating the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = Image.fromarray(np.asarray(image, dtype=np.uint8), "RGB")
    pixels.save(path, pnginfo=png_metadata(request, candidate))
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

