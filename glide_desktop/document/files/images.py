"""Opening flat images (PNG, JPEG, WebP, TIFF, BMP, GIF) as RGBA8 sRGB, and exporting flattened images."""

from __future__ import annotations

import io
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from glide_desktop.document.files.atomic import atomic_write
from glide_desktop.document.files.errors import DocumentFileError, unexpected_read_error

DEFAULT_MAX_PIXELS = 100_000_000
FLOAT_HIGHLIGHT_MAX = 4.0  # a float image whose values stay under this is 0..1 (HDR highlights clip)
OPEN_FORMATS = ("PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF")
EXPORT_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
_SUPPORTED_TEXT = "PNG, JPEG, WebP, TIFF, BMP or GIF"


def _to_rgba8(image: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGBA; high bit depths are scaled, not clipped."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        values = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        top = 65535.0 if image.mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        if image.mode == "F" and values.max(initial=0) <= FLOAT_HIGHLIGHT_MAX:
            top = 1.0  # float images hold 0..1; highlights a little above 1 clip to white
        grey = np.clip(np.rint(values / top * 255.0), 0, 255).astype(np.uint8)
        image = Image.fromarray(grey, "L")
    return image if image.mode == "RGBA" else image.convert("RGBA")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert an image with an embedded ICC profile to sRGB (best effort: keep it as is on failure)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except Exception:  # a broken or exotic profile must not stop the image from opening
        return image


@dataclass(frozen=True)
class DecodedImage:
    """Decoded pixels (H, W, 4 uint8, straight alpha) and what the user should know about them."""

    pixels: np.ndarray
    notes: tuple[str, ...] = ()


def _first_frame_note(image: Image.Image, label: str) -> tuple[str, ...]:
    """What to say when a file holds more than one picture (the first one is what opens)."""
    if image.format == "MPO":  # a phone photo's extra pictures are previews or depth maps, not frames
        return ()
    try:
        if not getattr(image, "is_animated", False):
            return ()
        count = f"{image.n_frames} frames"  # counting reads through the file: damage may show here
        image.seek(0)
    except Exception:  # the first frame may still be fine; decoding it will tell
        count = "several frames"
    return (f"{label} has {count}; only the first one was opened.",)


def read_image(source: str | os.PathLike | BinaryIO, max_pixels: int = DEFAULT_MAX_PIXELS,
               name: str | None = None, formats: tuple[str, ...] = OPEN_FORMATS) -> DecodedImage:
    """The one image decoder (editor and CLI): RGBA8, EXIF orientation applied, sRGB, first frame only."""
    label = name or (Path(source).name if isinstance(source, str | os.PathLike) else "the image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we enforce max_pixels
            warnings.simplefilter("ignore", UserWarning)  # damaged metadata: the pixels decide
            with Image.open(source, formats=formats) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise DocumentFileError(
                        f"{label} is {width}×{height} pixels, more than the limit of "
                        f"{max_pixels / 1e6:.0f} megapixels.")
                notes = _first_frame_note(image, label)
                image.load()  # the first frame: a file opens on frame 0
                image = ImageOps.exif_transpose(image) or image
                return DecodedImage(np.array(_to_rgba8(_to_srgb(image)), dtype=np.uint8), notes)
    except DocumentFileError:
        raise
    except FileNotFoundError as exc:
        raise DocumentFileError(f"{label} does not exist.") from exc
    except IsADirectoryError as exc:
        raise DocumentFileError(f"{label} is a folder, not an image.") from exc
    except PermissionError as exc:
        raise DocumentFileError(f"No permission to read {label}.") from exc
    except Image.DecompressionBombError as exc:
        limit = min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or max_pixels))
        message = f"{label} declares an image too large to open safely (over {limit / 1e6:.0f} megapixels)."
        raise DocumentFileError(message) from exc
    except UnidentifiedImageError as exc:
        raise DocumentFileError(f"{label} is not a supported image ({_SUPPORTED_TEXT}).") from exc
    except MemoryError as exc:
        raise DocumentFileError(f"There is not enough memory to open {label}.") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise DocumentFileError(f"{label} is damaged or truncated and cannot be opened ({exc}).") from exc
    except Exception as exc:  # decoders meet damaged data in ways no list foresees (struct, zlib, ...)
        raise unexpected_read_error(exc, label) from exc


def decode_rgba(source: str | os.PathLike | BinaryIO, max_pixels: int = DEFAULT_MAX_PIXELS,
                name: str | None = None, formats: tuple[str, ...] = OPEN_FORMATS) -> np.ndarray:
    """Decode an image file to H, W, 4 uint8 (EXIF orientation applied); DocumentFileError when bad."""
    return read_image(source, max_pixels, name, formats).pixels


def open_image(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS,
               notes: list[str] | None = None):
    """Open a flat image as a one-layer Document (layer named after the file); notes gets what to tell."""
    from glide_desktop.document.document import Document
    from glide_desktop.document.layer import Layer

    decoded = read_image(path, max_pixels)
    if notes is not None:
        notes.extend(decoded.notes)
    pixels = decoded.pixels
    doc = Document(pixels.shape[1], pixels.shape[0])
    layer = Layer(pixels, name=Path(path).stem or "Background")
    doc.insert_layer(layer)
    return doc


def generation_text(doc) -> dict[str, str]:
    """PNG text entries describing generated layers: prompt and seed of the topmost, all as JSON."""
    generated = [layer.metadata for layer in doc.layers if layer.visible and "prompt" in layer.metadata]
    if not generated:
        return {}
    top = generated[-1]
    text = {"prompt": str(top["prompt"]), "Software": "GLIDE Desktop"}
    if "seed" in top:
        text["seed"] = str(top["seed"])
    text["glide:generation"] = json.dumps(generated, default=str)
    return text


def _export_format(path: Path, format: str | None) -> str:
    if format:
        fmt = format.upper().replace("JPG", "JPEG")
        if fmt in EXPORT_FORMATS.values():
            return fmt
    elif path.suffix.lower() in EXPORT_FORMATS:
        return EXPORT_FORMATS[path.suffix.lower()]
    raise DocumentFileError(f"Cannot export {path.name}: choose PNG, JPEG or WebP.", path)


def encode_flat(pixels: np.ndarray, fmt: str, text: dict[str, str] | None = None, quality: int = 92,
                background: tuple[int, int, int] | None = None) -> bytes:
    """Encode H, W, 4 uint8 pixels as PNG/JPEG/WEBP bytes; text goes to PNG chunks or EXIF description.

    background: the colour transparency is flattened onto (JPEG always flattens, onto white by default).
    """
    image = Image.fromarray(pixels, "RGBA")
    if background is not None or fmt == "JPEG":
        under = Image.new("RGBA", image.size, (*(background or (255, 255, 255)), 255))
        image = Image.alpha_composite(under, image)
    out = io.BytesIO()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        for key, value in (text or {}).items():
            info.add_itxt(key, str(value))
        image.save(out, "PNG", pnginfo=info, compress_level=6)
        return out.getvalue()
    exif = Image.Exif()
    if text:
        exif[0x010E] = json.dumps(text)  # ImageDescription
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=quality, exif=exif)  # JPEG has no alpha
    else:
        image.save(out, "WEBP", quality=quality, exif=exif)
    return out.getvalue()


def export_flat(doc, path: str | os.PathLike, format: str | None = None,
                text: dict[str, str] | None = None, quality: int = 92,
                background: tuple[int, int, int] | None = None, overwrite_read_only: bool = False) -> None:
    """Save the composite as PNG, JPEG or WebP atomically; text defaults to the generation details."""
    target = Path(path)
    fmt = _export_format(target, format)
    data = encode_flat(doc.composite_uncached(), fmt, generation_text(doc) if text is None else text, quality,
                       background)
    atomic_write(target, lambda handle: handle.write(data), overwrite_read_only)
