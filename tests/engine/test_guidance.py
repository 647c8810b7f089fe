"""Classifier-free guidance and the inpainting denoised_fn, checked by hand on small tensors."""

from __future__ import annotations

import pytest
import torch

from glide_desktop.engine.guidance import classifier_free_model_fn, inpaint_denoised_fn


class RowModel:
    """eps = x * (row + 1), v = -row: every row's output is distinct; records what it saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[torch.Tensor, torch.Tensor]] = []

    def __call__(self, x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        self.seen.append((x.clone(), timesteps.clone()))
        rows = torch.arange(x.shape[0], dtype=x.dtype).view(-1, 1, 1, 1)  # N, 1, 1, 1
        return torch.cat([x * (rows + 1), (-rows).expand_as(x)], dim=1)  # N, 6, H, W


def test_cfg_guides_eps_and_keeps_each_rows_variance() -> None:
    model = RowModel()
    x = torch.randn(4, 3, 2, 2)  # rows 0, 1 cond; rows 2, 3 uncond
    t = torch.tensor([7, 7, 7, 7])
    out = classifier_free_model_fn(model, 3.0)(x, t)

    seen_x, seen_t = model.seen[0]
    assert torch.equal(seen_x, torch.cat([x[:2], x[:2]]))  # the first half, duplicated
    assert torch.equal(seen_t, t)
    half = x[:2]
    cond = half * torch.tensor([1.0, 2.0]).view(-1, 1, 1, 1)
    uncond = half * torch.tensor([3.0, 4.0]).view(-1, 1, 1, 1)
    guided = uncond + 3.0 * (cond - uncond)
    torch.testing.assert_close(out[:, :3], torch.cat([guided, guided]))
    expected_v = -torch.arange(4.0).view(-1, 1, 1, 1).expand(4, 3, 2, 2)
    assert torch.equal(out[:, 3:], expected_v)


def test_cfg_scale_one_gives_the_conditional_eps() -> None:
    model = RowModel()
    x = torch.randn(2, 3, 2, 2)
    out = classifier_free_model_fn(model, 1.0)(x, torch.tensor([0, 0]))
    torch.testing.assert_close(out[0, :3], x[0])
    torch.testing.assert_close(out[1, :3], x[0])


def test_cfg_rejects_an_odd_batch() -> None:
    with pytest.raises(ValueError, match="odd batch"):
        classifier_free_model_fn(RowModel(), 3.0)(torch.zeros(3, 3, 2, 2), torch.zeros(3, dtype=torch.int64))


def test_inpaint_denoised_fn_keeps_known_pixels() -> None:
    image = torch.full((1, 3, 2, 2), 0.5)
    keep = torch.tensor([[1.0, 0.0], [0.0, 1.0]]).view(1, 1, 2, 2)
    pred = torch.full((1, 3, 2, 2), -0.25)
    out = inpaint_denoised_fn(image, keep)(pred)
    expected = torch.tensor([[0.5, -0.25], [-0.25, 0.5]]).expand(1, 3, 2, 2)
    assert torch.equal(out, expected)
