"""Device choice: auto picks what exists, an unavailable GPU is a clear error, fp16 only on CUDA."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from glide_desktop.engine.device import DeviceError, model_dtype, resolve_device


def test_auto_falls_back_to_cpu_without_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device(" CPU ") == torch.device("cpu")


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="CUDA was requested but no usable NVIDIA GPU was found"):
        resolve_device("cuda")


def test_gpu_index_beyond_the_count_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda:0") == torch.device("cuda", 0)
    with pytest.raises(DeviceError, match="GPU 3 was requested but this machine has 1 GPU"):
        resolve_device("cuda:3")


def test_unknown_device_name() -> None:
    with pytest.raises(DeviceError, match="Unknown device 'tpu'"):
        resolve_device("tpu")


def test_fp16_on_cuda_fp32_elsewhere() -> None:
    assert model_dtype(torch.device("cuda")) == torch.float16
    assert model_dtype("cpu") == torch.float32


def test_model_locations_import_no_torch() -> None:
    code = (
        "import sys, glide_desktop.engine.locations as l; l.missing_files('.', 'inpaint'); "
        "l.default_models_dir(); assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
