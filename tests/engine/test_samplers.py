"""Sampler behaviour on tiny analytic models: determinism, convergence, cancelling, noise replay."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from glide_desktop.engine.diffusion import GaussianDiffusion, beta_schedule, respaced_diffusion
from glide_desktop.engine.noise import NoiseExhausted, ReplayNoise, TorchNoise
from glide_desktop.engine.samplers import Cancelled, sample
from glide_desktop.engine.types import SamplerName

SHAPE = (2, 3, 8, 8)
BASE_ALPHAS_CUMPROD = GaussianDiffusion(beta_schedule("squaredcos_cap_v2", 1000)).alphas_cumprod


class GaussianDataModel:
    """The exact noise predictor for data ~ N(mean, std^2) per pixel; v = 0; counts its calls."""

    def __init__(self, mean: torch.Tensor, std: float) -> None:
        self.mean, self.std, self.calls = mean, std, 0
        self.timesteps: list[int] = []

    def __call__(self, x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        self.timesteps.append(int(timesteps[0]))
        assert timesteps.dtype == torch.int64
        ab = torch.from_numpy(BASE_ALPHAS_CUMPROD)[timesteps].float().view(-1, 1, 1, 1)  # N, 1, 1, 1
        # E[eps | x_t] for Gaussian data: sqrt(1-ab) (x - sqrt(ab) mean) / (ab std^2 + 1 - ab).
        eps = (1 - ab).sqrt() * (x - ab.sqrt() * self.mean) / (ab * self.std**2 + 1 - ab)  # N, 3, H, W
        return torch.cat([eps, torch.zeros_like(eps)], dim=1)  # N, 6, H, W


@pytest.fixture
def model() -> GaussianDataModel:
    """Data centred on a smooth pattern well inside [-1, 1], so clamping never matters."""
    ramp = torch.linspace(-0.5, 0.5, SHAPE[-1])
    mean = (ramp[None, :] * ramp[:, None]).expand(SHAPE[1:]).clone()  # 3, H, W
    return GaussianDataModel(mean, std=0.1)


def _final(diffusion, model, sampler: str, x_T: torch.Tensor, noise=None, **kwargs) -> torch.Tensor:
    """The last sample of a full run."""
    noise = noise if noise is not None else TorchNoise(0)
    steps = list(sample(diffusion, model, SHAPE, sampler=sampler, noise=noise, x_T=x_T, **kwargs))
    return steps[-1].x_t


def test_ddim_eta0_ignores_the_noise(model: GaussianDataModel) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "10")
    x_T = torch.randn(SHAPE, generator=torch.Generator().manual_seed(5))
    first = _final(diffusion, model, "ddim", x_T, TorchNoise(1))
    second = _final(diffusion, model, "ddim", x_T, TorchNoise(2))
    assert torch.equal(first, second)
    # With eta > 0 the noise does matter, so the check above is not vacuous.
    noisy = _final(diffusion, model, "ddim", x_T, TorchNoise(1), eta=1.0)
    assert not torch.allclose(noisy, first)


def test_ancestral_depends_on_the_seed(model: GaussianDataModel) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "10")
    x_T = torch.zeros(SHAPE)
    assert not torch.allclose(_final(diffusion, model, "ancestral", x_T, TorchNoise(1)),
                              _final(diffusion, model, "ancestral", x_T, TorchNoise(2)))


def _exact_solution(model: GaussianDataModel, x_T: torch.Tensor) -> torch.Tensor:
    """The probability-flow ODE's answer for Gaussian data: x_t keeps its standardised value z."""
    mean, var = model.mean.double(), model.std**2
    ab_T, ab_0 = BASE_ALPHAS_CUMPROD[-1], BASE_ALPHAS_CUMPROD[0]
    z = (x_T.double() - np.sqrt(ab_T) * mean) / np.sqrt(ab_T * var + 1 - ab_T)
    x_0 = np.sqrt(ab_0) * mean + np.sqrt(ab_0 * var + 1 - ab_0) * z
    # Both samplers end by returning the x0 prediction at t = 0.
    return (mean + np.sqrt(ab_0) * var / (ab_0 * var + 1 - ab_0) * (x_0 - np.sqrt(ab_0) * mean)).float()


def test_dpmpp_2m_approaches_the_1000_step_ddim_solution(model: GaussianDataModel) -> None:
    x_T = torch.randn(SHAPE, generator=torch.Generator().manual_seed(7))
    reference = _final(respaced_diffusion("squaredcos_cap_v2", 1000, ""), model, "ddim", x_T)
    assert (reference - _exact_solution(model, x_T)).abs().max() < 5e-3
    errors = []
    for steps in (5, 10, 20, 50):
        diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, str(steps))
        result = _final(diffusion, model, "dpm++2m", x_T)
        errors.append(float((result - reference).abs().max()))
    assert all(later < earlier for earlier, later in zip(errors, errors[1:])), errors
    assert errors[-1] < 0.03, errors


def test_dpmpp_2m_beats_ddim_at_equal_steps(model: GaussianDataModel) -> None:
    x_T = torch.randn(SHAPE, generator=torch.Generator().manual_seed(8))
    exact = _exact_solution(model, x_T)
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "50")
    dpm = (_final(diffusion, model, "dpm++2m", x_T) - exact).abs().max()
    ddim = (_final(diffusion, model, "ddim", x_T) - exact).abs().max()
    assert dpm < ddim / 1.5


@pytest.mark.parametrize("sampler", ["ancestral", "ddim", "dpm++2m"])
def test_steps_report_progress_and_original_timesteps(model: GaussianDataModel, sampler: str) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "5")
    steps = list(sample(diffusion, model, SHAPE, sampler=sampler, noise=TorchNoise(0)))
    assert [(s.index, s.total) for s in steps] == [(k, 5) for k in range(5)]
    assert model.timesteps == sorted(diffusion.timestep_map, reverse=True)
    assert all(s.x_t.shape == SHAPE and s.pred_xstart.shape == SHAPE for s in steps)


def test_sampler_name_enum_is_accepted(model: GaussianDataModel) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "3")
    steps = list(sample(diffusion, model, SHAPE, sampler=SamplerName.DPMPP_2M, noise=TorchNoise(0)))
    assert len(steps) == 3


@pytest.mark.parametrize("sampler, draws", [("ancestral", 1 + 4), ("ddim", 1 + 4), ("dpm++2m", 1)])
def test_noise_draw_count(model: GaussianDataModel, sampler: str, draws: int) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "4")
    noise = ReplayNoise([torch.randn(SHAPE) for _ in range(draws)])
    list(sample(diffusion, model, SHAPE, sampler=sampler, noise=noise))
    assert noise.remaining == 0


def test_replay_exhaustion_is_a_clear_error(model: GaussianDataModel) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "4")
    noise = ReplayNoise([torch.randn(SHAPE) for _ in range(3)])
    with pytest.raises(NoiseExhausted, match="draw 4 was requested but only 3"):
        list(sample(diffusion, model, SHAPE, sampler="ancestral", noise=noise))


def test_replay_shape_mismatch_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="has shape"):
        ReplayNoise([torch.zeros(1, 3, 4, 4)]).randn((1, 3, 8, 8))


def test_torch_noise_is_reproducible() -> None:
    assert torch.equal(TorchNoise(3).randn(SHAPE), TorchNoise(3).randn(SHAPE))
    assert not torch.equal(TorchNoise(3).randn(SHAPE), TorchNoise(4).randn(SHAPE))


@pytest.mark.parametrize("sampler", ["ancestral", "ddim", "dpm++2m"])
def test_cancel_event_stops_between_steps(model: GaussianDataModel, sampler: str) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "10")
    cancel = threading.Event()
    seen = []
    with pytest.raises(Cancelled):
        for step in sample(diffusion, model, SHAPE, sampler=sampler, noise=TorchNoise(0), cancel=cancel):
            seen.append(step.index)
            if step.index == 2:
                cancel.set()
    assert seen == [0, 1, 2]
    assert model.calls == 3


def test_cancel_callable_before_start_runs_no_model(model: GaussianDataModel) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "10")
    with pytest.raises(Cancelled):
        list(sample(diffusion, model, SHAPE, noise=TorchNoise(0), cancel=lambda: True))
    assert model.calls == 0


def test_cancel_after_the_last_step_keeps_the_result(model: GaussianDataModel) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "3")
    cancel = threading.Event()
    steps = []
    for step in sample(diffusion, model, SHAPE, noise=TorchNoise(0), cancel=cancel):
        steps.append(step)
        if step.index == step.total - 1:
            cancel.set()
    assert len(steps) == 3


def test_start_index_runs_the_remaining_steps(model: GaussianDataModel) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "10")
    steps = list(sample(diffusion, model, SHAPE, noise=TorchNoise(0), start_index=3, x_T=torch.zeros(SHAPE)))
    assert len(steps) == 4
    assert model.timesteps == [diffusion.timestep_map[i] for i in (3, 2, 1, 0)]


@pytest.mark.parametrize("kwargs, message", [
    ({"sampler": "euler"}, "unknown sampler"),
    ({"eta": -1.0}, "eta"),
    ({"start_index": 10}, "start_index"),
    ({"x_T": torch.zeros(1, 3, 8, 8)}, "x_T has shape"),
])
def test_bad_arguments_are_clear_errors(model: GaussianDataModel, kwargs: dict, message: str) -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "10")
    with pytest.raises(ValueError, match=message):
        list(sample(diffusion, model, SHAPE, noise=TorchNoise(0), **kwargs))


def test_model_output_shape_is_checked() -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "2")
    with pytest.raises(ValueError, match="model returned shape"):
        list(sample(diffusion, lambda x, t: x, SHAPE, noise=TorchNoise(0)))


def test_respaced_alphas_follow_the_base_schedule() -> None:
    diffusion = respaced_diffusion("squaredcos_cap_v2", 1000, "10")
    expected = BASE_ALPHAS_CUMPROD[diffusion.timestep_map]
    np.testing.assert_allclose(diffusion.alphas_cumprod, expected, rtol=1e-8)
