"""Conversions between the editor's uint8 arrays and the model's [-1, 1] tensors, and the mask."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from glide_desktop.engine.types import IMAGE_SIZE_BASE, SELECTION_THRESHOLD


def selection_to_keep_mask(selection64: np.ndarray, size: int = IMAGE_SIZE_BASE) -> np.ndarray:
    """Turn document selection coverage (1 = regenerate) into GLIDE's keep-mask (1 = keep), size x size.

    Any pixel with visible coverage is regenerated: keep = coverage < 1/255. A 0.5 threshold would
    keep half-selected edge pixels, forcing the old content back inside the selection's soft edge
    where the editor blends in generated pixels, which shows as a ghost of the replaced object. A
    slightly larger regenerated area costs nothing: outside the selection the editor keeps the
    document's own pixels.
    """
    coverage = np.asarray(selection64, dtype=np.float32)
    if coverage.shape != (size, size):
        raise ValueError(f"the selection mask must be {size}x{size} coverage, got shape {coverage.shape}")
    if not np.all(np.isfinite(coverage)):
        raise ValueError("the selection mask holds NaN or infinite values")
    return (coverage < SELECTION_THRESHOLD).astype(np.float32)  # size, size


def keep_mask_tensor(keep64: np.ndarray, size: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """The 64x64 keep-mask as a 1, 1, size, size tensor, nearest-resized as the reference does."""
    mask = torch.from_numpy(np.ascontiguousarray(keep64, dtype=np.float32))[None, None]  # 1, 1, 64, 64
    if size != mask.shape[-1]:
        mask = F.interpolate(mask, size=(size, size), mode="nearest")  # 1, 1, size, size
    return mask.to(device)


def to_model_image(image: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """uint8 H, W, 3 (or N, H, W, 3) RGB to a float32 N, 3, H, W tensor in [-1, 1]."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"images must be uint8 RGB, got dtype {array.dtype}")
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"images must be H x W x 3 RGB, got shape {np.asarray(image).shape}")
    array = np.ascontiguousarray(array)
    if not array.flags.writeable:
        array = array.copy()  # torch.from_numpy warns on read-only memory
    pixels = torch.from_numpy(array).to(device)  # N, H, W, 3
    return pixels.permute(0, 3, 1, 2).float() / 127.5 - 1.0  # N, 3, H, W


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """A N, 3, H, W tensor in [-1, 1] to uint8 N, H, W, 3 RGB (rounded, clipped)."""
    pixels = ((images.detach().float() + 1.0) * 127.5).round().clamp(0, 255)  # N, 3, H, W
    return pixels.to(torch.uint8).permute(0, 2, 3, 1).contiguous().cpu().numpy()


def resize_image(images: torch.Tensor, size: int) -> torch.Tensor:
    """Resize N, 3, H, W images to size x size: antialiased bicubic (like PIL's), clamped to [-1, 1]."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    resized = F.interpolate(images, size=(size, size), mode="bicubic", antialias=True, align_corners=False)
    return resized.clamp(-1, 1)  # N, 3, size, size
