"""Precision: native bf16 is detected at run time, never assumed; bf16 networks keep sensitive parts fp32."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch
from torch import nn

from glide_desktop.engine import cpu_features, device
from glide_desktop.engine.config import TINY_PRESETS
from glide_desktop.engine.device import DeviceError, compute_dtype
from glide_desktop.engine.nn import build_unet
from glide_desktop.engine.nn.layers import GroupNorm32
from glide_desktop.engine.pipelines.requests import validate
from glide_desktop.engine.presets import Preset, apply_preset
from glide_desktop.engine.types import GenerationRequest, InvalidRequest, Mode, Precision

CPUINFO = """processor\t: 0
model name\t: Test CPU 9000
flags\t\t: fpu sse2 avx2 {extra}
"""


@pytest.fixture
def fake_cpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Point the CPU probe at a written /proc/cpuinfo; returns a function taking the extra flags."""

    def use(extra: str) -> None:
        path = tmp_path / "cpuinfo"
        path.write_text(CPUINFO.format(extra=extra), encoding="utf-8")
        monkeypatch.setattr(cpu_features, "CPUINFO", path)
        cpu_features.cpu_flags.cache_clear()
        cpu_features.cpu_model.cache_clear()
        device.bf16_is_faster.cache_clear()

    yield use
    cpu_features.cpu_flags.cache_clear()
    cpu_features.cpu_model.cache_clear()
    device.bf16_is_faster.cache_clear()


def test_cpuinfo_is_read_for_the_model_and_the_bf16_flags(fake_cpu) -> None:
    fake_cpu("avx512f avx512_bf16 amx_tile amx_bf16")
    assert cpu_features.cpu_model() == "Test CPU 9000"
    assert cpu_features.native_bf16_flags() == ["amx_bf16", "avx512_bf16"]


def test_an_avx2_cpu_stays_in_fp32_and_refuses_bf16(fake_cpu, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_cpu("fma")
    probed: list[torch.dtype] = []
    monkeypatch.setattr(device, "matmul_seconds", lambda dtype: probed.append(dtype) or 1.0)
    assert compute_dtype("cpu", Precision.AUTO) == torch.float32
    assert probed == []  # no emulated bf16 matmul is ever timed on such a CPU
    with pytest.raises(DeviceError, match="no native bf16"):
        compute_dtype("cpu", "bf16")
    assert compute_dtype("cpu", "fp32") == torch.float32


@pytest.mark.parametrize(("bf16_time", "expected"), [(0.2, torch.bfloat16), (0.95, torch.float32)])
def test_auto_takes_bf16_only_when_native_and_measured_faster(
    fake_cpu, monkeypatch: pytest.MonkeyPatch, bf16_time: float, expected: torch.dtype
) -> None:
    fake_cpu("avx512_bf16")
    monkeypatch.setattr(device, "matmul_seconds", lambda dtype: bf16_time if dtype == torch.bfloat16 else 1.0)
    assert compute_dtype("cpu", "auto") == expected
    assert compute_dtype("cpu", "bf16") == torch.bfloat16  # asked for by name: native is enough


def test_notebook_runs_in_fp32_and_the_other_presets_keep_the_setting() -> None:
    plain = GenerationRequest(mode=Mode.TEXT2IM, prompt="x", precision=Precision.BF16)
    assert apply_preset(plain, Preset.NOTEBOOK).precision is Precision.FP32
    assert apply_preset(plain, Preset.DRAFT).precision is Precision.BF16
    assert apply_preset(replace(plain, precision=Precision.AUTO), Preset.BALANCED).precision is Precision.AUTO


def test_an_unknown_precision_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidRequest, match="auto, fp32, bf16"):
        validate(GenerationRequest(mode=Mode.TEXT2IM, prompt="x", precision="fp8"))  # type: ignore[arg-type]


def _inputs(size: int, rows: int = 2) -> dict[str, torch.Tensor]:
    torch.manual_seed(1)
    return dict(x=torch.randn(rows, 3, size, size), timesteps=torch.tensor([999, 10][:rows]),
                tokens=torch.randint(0, 50000, (rows, 128)), mask=torch.ones(rows, 128, dtype=torch.bool),
                inpaint_image=torch.randn(rows, 3, size, size), inpaint_mask=torch.ones(rows, 1, size, size))


def test_a_bf16_network_keeps_norms_embeddings_and_output_in_fp32_and_stays_close() -> None:
    torch.manual_seed(0)
    reference = build_unet(TINY_PRESETS["base_inpaint"])
    with torch.no_grad():
        for parameter in reference.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.02)
    low = build_unet(TINY_PRESETS["base_inpaint"], dtype=torch.bfloat16)
    low.load_state_dict(reference.state_dict())
    assert low.torso_dtype == torch.bfloat16
    norms = [m for m in low.modules() if isinstance(m, GroupNorm32 | nn.LayerNorm)]
    assert norms and all(m.weight.dtype == torch.float32 for m in norms)
    assert {p.dtype for p in low.time_embed.parameters()} == {torch.float32}
    assert {p.dtype for p in low.out.parameters()} == {torch.float32}
    with torch.no_grad():
        expected = reference(**_inputs(32))
        got = low(**_inputs(32))
    assert got.dtype == torch.float32
    error = (got - expected).abs().max() / expected.abs().max()
    assert 0 < error < 0.05  # bf16 keeps 8 bits of mantissa: close, but not the fp32 values
