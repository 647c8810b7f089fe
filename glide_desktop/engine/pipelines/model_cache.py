"""Keeps the most recently used networks loaded, so consecutive requests skip reading 1.5 GB files."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import torch

from glide_desktop.engine.models import ClipEncoders, ModelLoader


class ModelCache:
    """A store wrapper with load_unet(name, device, dtype) that remembers the last `capacity` networks.

    Two fit one mode's pair (base + upsampler); switching mode evicts the least recently used.
    load_clip(device) keeps the CLIP encoder pair of the last device it was asked for, apart from
    the diffusion networks, so CLIP-guided runs do not push a diffusion network out.
    """

    def __init__(self, store: ModelLoader, capacity: int = 2) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.store = store
        self.capacity = capacity
        self._models: OrderedDict[tuple[str, str, torch.dtype], torch.nn.Module] = OrderedDict()
        self._clip: tuple[str, ClipEncoders] | None = None  # (device, ClipEncoders)
        self._lock = threading.Lock()

    def load_unet(self, name: str, device: torch.device | str, dtype: torch.dtype) -> torch.nn.Module:
        """The network for a checkpoint name on device/dtype, loading it only when not cached."""
        key = (name, str(torch.device(device)), dtype)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            while len(self._models) >= self.capacity:
                self._models.popitem(last=False)  # free memory before the next file is read
            model = self.store.load_unet(name, device, dtype)
            self._models[key] = model
            return model

    def load_clip(self, device: torch.device | str) -> ClipEncoders:
        """The store's ClipEncoders(image, text) on device, loading them only when not cached."""
        key = str(torch.device(device))
        with self._lock:
            if self._clip is not None and self._clip[0] == key:
                return self._clip[1]
            self._clip = None  # free the other device's copy before reading the files
            encoders = self.store.load_clip(device)
            self._clip = (key, encoders)
            return encoders

    def clear(self) -> None:
        """Forget every loaded network (e.g. after the models folder changed)."""
        with self._lock:
            self._models.clear()
            self._clip = None

    def __getattr__(self, attribute: str) -> Any:
        # Everything else (folder, explain_missing, missing ...) is the wrapped store's.
        return getattr(self.store, attribute)
