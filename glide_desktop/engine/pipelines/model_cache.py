"""Keeps the most recently used networks loaded, so consecutive requests skip reading 1.5 GB files."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import torch


class ModelCache:
    """A store wrapper with load_unet(name, device, dtype) that remembers the last `capacity` networks.

    Two fit one mode's pair (base + upsampler); switching mode evicts the least recently used.
    """

    def __init__(self, store: Any, capacity: int = 2) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.store = store
        self.capacity = capacity
        self._models: OrderedDict[tuple[str, str, torch.dtype], torch.nn.Module] = OrderedDict()
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

    def clear(self) -> None:
        """Forget every loaded network (e.g. after the models folder changed)."""
        with self._lock:
            self._models.clear()

    def __getattr__(self, attribute: str) -> Any:
        # Everything else (folder, explain_missing, load_clip ...) is the wrapped store's.
        return getattr(self.store, attribute)
