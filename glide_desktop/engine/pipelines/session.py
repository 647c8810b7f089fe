"""What every stage of one request shares: device, dtype, models, noise and the cancel flag."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from glide_desktop.engine.cancel import CancelFlag, PreviewFlag, flag_is_set, is_cancelled
from glide_desktop.engine.device import compute_dtype, resolve_device
from glide_desktop.engine.models import ClipEncoders, ModelLoader
from glide_desktop.engine.noise import NoiseSource, TorchNoise
from glide_desktop.engine.pipelines.conditioning import KnownImage
from glide_desktop.engine.pipelines.images import selection_to_keep_mask
from glide_desktop.engine.types import GenerationRequest

# Separate random streams per stage and candidate, so candidate k's upsampling is the same
# whether it runs right after the base stage or later, alone.
_UPSAMPLE_STREAM = 0x5550


def upsample_seed(seed: int, candidate: int) -> int:
    """The seed of candidate `candidate`'s upsampling noise, derived from the request's seed."""
    state = np.random.SeedSequence([seed, _UPSAMPLE_STREAM, candidate]).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1  # < 2**63, as torch's manual_seed accepts


@dataclass
class Session:
    """Shared state of one request's run."""

    request: GenerationRequest
    store: ModelLoader
    device: torch.device
    dtype: torch.dtype
    cancel: CancelFlag | None
    injected_noise: NoiseSource | None  # replays pass every stage's draws through this one source
    preview_flag: PreviewFlag | None = None  # None: the request's previews field decides

    @classmethod
    def open(cls, request: GenerationRequest, store: ModelLoader, cancel: CancelFlag | None,
             noise: NoiseSource | None, previews: PreviewFlag | None = None) -> Session:
        """Resolve the device and the networks' dtype (engine.device.compute_dtype) for a request."""
        device = resolve_device(request.device)
        return cls(request, store, device, compute_dtype(device, request.precision), cancel, noise, previews)

    @property
    def cancelled(self) -> bool:
        """Whether the caller asked to stop."""
        return is_cancelled(self.cancel)

    def previews_wanted(self) -> bool:
        """Whether the next step's Progress should carry a preview (the flag, read now, else the request)."""
        if self.preview_flag is None:
            return self.request.previews
        return flag_is_set(self.preview_flag)

    def known_image(self, size: int) -> KnownImage | None:
        """The source pixels outside the selection at size x size, or None without a selection."""
        if self.request.selection64 is None:
            return None
        keep64 = selection_to_keep_mask(self.request.selection64)  # 64, 64; 1 = keep
        return KnownImage.at_size(self.request.source256, keep64, size, self.device)

    def base_noise(self) -> NoiseSource:
        """The base stage's noise: seeded from the request (or the injected source)."""
        return self.injected_noise or TorchNoise(self.request.seed, self.device)

    def upsample_noise(self, candidate: int) -> NoiseSource:
        """Candidate k's upsampling noise, independent of which other candidates are upsampled."""
        return self.injected_noise or TorchNoise(upsample_seed(self.request.seed, candidate), self.device)

    def load(self, name: str) -> torch.nn.Module:
        """One of the four diffusion models by file name ("base.pt", "upsample_inpaint.pt", ...)."""
        return self.store.load_unet(name, self.device, self.dtype)

    def load_clip(self) -> ClipEncoders:
        """The noised CLIP's encoders (image, text) on the request's device, always in fp32."""
        return self.store.load_clip(self.device)
