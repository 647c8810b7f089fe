"""GlideUNet's conditioning inputs and its errors on bad input, with tiny random models."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from glide_desktop.engine.config import TINY_PRESETS
from glide_desktop.engine.nn import GlideUNet, build_unet

SIZE = 32  # a multiple of 2**5, so every tiny preset accepts it
END_TOKEN = 50256


def _model(name: str, **changes: object) -> GlideUNet:
    torch.manual_seed(0)
    return build_unet(dataclasses.replace(TINY_PRESETS[name], **changes))


@pytest.fixture(scope="module")
def models() -> dict[str, GlideUNet]:
    return {name: _model(name) for name in TINY_PRESETS}


def _text(n: int = 2, length: int = 5) -> dict[str, torch.Tensor]:
    tokens = torch.full((n, 128), END_TOKEN)
    tokens[:, :length] = torch.arange(100, 100 + length)
    mask = torch.arange(128)[None].expand(n, -1) < length  # N, 128
    return {"tokens": tokens, "mask": mask}


def _x(n: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return torch.randn(n, 3, SIZE, SIZE, generator=generator), torch.tensor([999, 3])[:n]


def _run(model: GlideUNet, **kwargs: object) -> torch.Tensor:
    x, t = _x()
    with torch.no_grad():
        return model(x, t, **{**_text(), **kwargs})


def test_output_shape(models: dict[str, GlideUNet]) -> None:
    low_res = torch.zeros(2, 3, SIZE // 4, SIZE // 4)
    assert _run(models["base"]).shape == (2, 6, SIZE, SIZE)
    assert _run(models["upsample_inpaint"], low_res=low_res).shape == (2, 6, SIZE, SIZE)


def test_missing_inpaint_inputs_are_zeros(models: dict[str, GlideUNet]) -> None:
    zeros = {"inpaint_image": torch.zeros(2, 3, SIZE, SIZE), "inpaint_mask": torch.zeros(2, 1, SIZE, SIZE)}
    torch.testing.assert_close(_run(models["base_inpaint"]), _run(models["base_inpaint"], **zeros),
                               rtol=0, atol=0)


def test_model_masks_the_inpaint_image_itself(models: dict[str, GlideUNet]) -> None:
    image = torch.rand(2, 3, SIZE, SIZE) * 2 - 1
    keep = (torch.rand(2, 1, SIZE, SIZE) > 0.5).float()
    raw = _run(models["base_inpaint"], inpaint_image=image, inpaint_mask=keep)
    premultiplied = _run(models["base_inpaint"], inpaint_image=image * keep, inpaint_mask=keep)
    torch.testing.assert_close(raw, premultiplied, rtol=0, atol=0)
    other = _run(models["base_inpaint"], inpaint_image=image, inpaint_mask=1 - keep)
    assert not torch.allclose(raw, other)


def test_low_res_is_resized_bilinear_without_antialias(models: dict[str, GlideUNet]) -> None:
    low_res = torch.rand(2, 3, 8, 8) * 2 - 1
    resized = F.interpolate(low_res, (SIZE, SIZE), mode="bilinear", align_corners=False)
    torch.testing.assert_close(_run(models["upsample"], low_res=low_res),
                               _run(models["upsample"], low_res=resized), rtol=0, atol=1e-6)
    nearest = F.interpolate(low_res, (SIZE, SIZE), mode="nearest")
    assert not torch.allclose(_run(models["upsample"], low_res=low_res),
                              _run(models["upsample"], low_res=nearest), atol=1e-4)


def test_padding_positions_ignore_their_token_ids(models: dict[str, GlideUNet]) -> None:
    text = _text()
    changed_pad = text["tokens"].clone()
    changed_pad[:, 50] = 7  # position 50 is padding: its embedding is replaced
    changed_real = text["tokens"].clone()
    changed_real[:, 2] = 7  # position 2 is a real token
    base = _run(models["base"], **text)
    torch.testing.assert_close(_run(models["base"], tokens=changed_pad, mask=text["mask"]), base,
                               rtol=0, atol=0)
    assert not torch.allclose(_run(models["base"], tokens=changed_real, mask=text["mask"]), base)


def test_scalar_timestep_is_broadcast(models: dict[str, GlideUNet]) -> None:
    x, _ = _x()
    with torch.no_grad():
        scalar = models["base"](x, torch.tensor(500), **_text())
        vector = models["base"](x, torch.tensor([500, 500]), **_text())
    torch.testing.assert_close(scalar, vector, rtol=0, atol=0)


def test_build_unet_returns_eval_mode_so_dropout_is_off() -> None:
    model = _model("base", dropout=0.5)
    assert not model.training
    torch.testing.assert_close(_run(model), _run(model), rtol=0, atol=0)


@pytest.mark.parametrize(("name", "kwargs", "message"), [
    ("upsample", {}, "needs low_res"),
    ("base", {"low_res": torch.zeros(2, 3, 8, 8)}, "not an upsampler"),
    ("base", {"inpaint_mask": torch.ones(2, 1, SIZE, SIZE)}, "not an inpainting model"),
    ("base_inpaint", {"inpaint_mask": torch.ones(2, 1, 16, 16)}, "inpaint_mask must have shape"),
    ("upsample", {"low_res": torch.zeros(1, 3, 8, 8)}, "low_res must be"),
    ("base", {"tokens": None}, "pass tokens"),
    ("base", {"mask": None}, "mask is required"),
    ("base", {"tokens": torch.zeros(2, 77, dtype=torch.long)}, "tokens must be an N x 128"),
    ("base", {"tokens": torch.full((2, 128), 50257)}, "token ids must lie in"),
    ("base", {"tokens": torch.zeros(2, 128)}, "integer ids"),
    ("base", {"mask": torch.ones(2, 128)}, "mask must be a bool tensor"),
])
def test_bad_conditioning_is_rejected_clearly(models: dict[str, GlideUNet], name: str, kwargs: dict,
                                              message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _run(models[name], **kwargs)


def test_bad_images_and_timesteps_are_rejected_clearly(models: dict[str, GlideUNet]) -> None:
    model = models["base"]
    x, t = _x()
    cases = [
        ((torch.zeros(2, 4, SIZE, SIZE), t), "x must be an N x 3 x H x W"),
        ((torch.zeros(2, 3, 36, 36), t), "multiples of 8"),
        ((torch.zeros(2, 3, SIZE, SIZE, dtype=torch.long), t), "floating-point"),
        ((x, torch.tensor([1, 2, 3])), r"timesteps must have shape \(2,\)"),
    ]
    for args, message in cases:
        with pytest.raises(ValueError, match=message):
            model(*args, **_text())


def test_text_batch_must_match(models: dict[str, GlideUNet]) -> None:
    model = models["base"]
    text = model.encode_text(**_text(n=3))
    x, t = _x()
    with pytest.raises(ValueError, match="text conditioning has 3 rows but x has 2"):
        model(x, t, text=text)
