"""Which torch device and dtype the models run on."""

from __future__ import annotations

import torch


class DeviceError(RuntimeError):
    """The requested device cannot be used; the message is shown to the user."""


def resolve_device(name: str | torch.device = "auto") -> torch.device:
    """Turn "auto", "cpu", "cuda" (or "cuda:N") into a torch.device that exists on this machine."""
    if isinstance(name, torch.device):
        name = str(name)
    text = name.strip().lower()
    if text == "auto":
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    if text == "cpu":
        return torch.device("cpu")
    if text == "cuda" or text.startswith("cuda:"):
        return _cuda_device(text)
    raise DeviceError(f"Unknown device {name!r}: choose auto, cpu or cuda.")


def _cuda_device(text: str) -> torch.device:
    if not torch.cuda.is_available():
        raise DeviceError(
            "CUDA was requested but no usable NVIDIA GPU was found (or this PyTorch build has no CUDA "
            "support). Choose the CPU device or 'auto'."
        )
    try:
        device = torch.device(text)
    except RuntimeError:
        raise DeviceError(f"Unknown device {text!r}: write cuda or cuda:N.") from None
    count = torch.cuda.device_count()
    if device.index is not None and device.index >= count:
        raise DeviceError(f"GPU {device.index} was requested but this machine has {count} GPU(s).")
    return device


def model_dtype(device: torch.device | str) -> torch.dtype:
    """The weight dtype for a device: fp16 on CUDA (as the reference's convert_to_fp16), fp32 elsewhere."""
    return torch.float16 if torch.device(device).type == "cuda" else torch.float32
