"""Where samplers get their Gaussian noise: a seeded torch generator, or a replay of logged draws."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import torch


class NoiseSource(Protocol):
    """Hands out standard normal tensors, one call per draw, in the order a sampler asks."""

    def randn(self, shape: Sequence[int], like: torch.Tensor | None = None) -> torch.Tensor:
        """A standard normal tensor of `shape`, on like's device and dtype when like is given."""
        ...


class NoiseExhausted(RuntimeError):
    """A replay was asked for more draws than were logged."""


class TorchNoise:
    """Noise from one seeded torch.Generator.

    The draws are made on the generator's device (CPU unless a generator on another device is
    passed), so one seed gives the same images on every machine; they are then moved to `device`
    or to like's device.
    """

    def __init__(self, seed: int | torch.Generator = 0, device: str | torch.device = "cpu") -> None:
        if isinstance(seed, torch.Generator):
            self.generator = seed
        else:
            self.generator = torch.Generator(device="cpu").manual_seed(int(seed))
        self.device = torch.device(device)

    def randn(self, shape: Sequence[int], like: torch.Tensor | None = None) -> torch.Tensor:
        """Draw a standard normal tensor of `shape` (float32 unless like says otherwise)."""
        dtype = like.dtype if like is not None else torch.float32
        device = like.device if like is not None else self.device
        draw = torch.randn(tuple(shape), generator=self.generator, device=self.generator.device, dtype=dtype)
        return draw.to(device)


class ReplayNoise:
    """Hands back logged draws in order, e.g. a reference run's rand_log, to replay it exactly."""

    def __init__(self, draws: Iterable[torch.Tensor]) -> None:
        self.draws = list(draws)
        self.used = 0

    def randn(self, shape: Sequence[int], like: torch.Tensor | None = None) -> torch.Tensor:
        """The next logged draw; it must have the requested shape."""
        if self.used >= len(self.draws):
            raise NoiseExhausted(
                f"replay noise exhausted: draw {self.used + 1} was requested but only {len(self.draws)} "
                "were logged"
            )
        draw = self.draws[self.used]
        if tuple(draw.shape) != tuple(shape):
            raise ValueError(
                f"replay draw {self.used} has shape {tuple(draw.shape)} but the sampler asked for "
                f"{tuple(shape)}"
            )
        self.used += 1
        if like is not None:
            return draw.to(device=like.device, dtype=like.dtype)
        return draw

    @property
    def remaining(self) -> int:
        """How many logged draws have not been handed out yet."""
        return len(self.draws) - self.used
