"""Samplers behind one generator interface: ancestral (DDPM), DDIM and DPM-Solver++(2M).

`sample(...)` yields a `SamplerStep` after every step. It checks `cancel` before each step and
raises `Cancelled` when it is set, so no half-finished step is ever yielded; a pipeline catches
`Cancelled` to stop cleanly. The model and the cond_fn always receive the ORIGINAL timesteps
(`diffusion.timestep_map[i]`, int64). Each step runs under torch.no_grad(); a cond_fn that needs
gradients must turn them on itself (torch.enable_grad()), as the CLIP guidance does.

The ancestral and DDIM samplers draw from the noise source in exactly the reference order: x_T
first (unless it is given), then one draw per step after the model call (ancestral: before the
cond_fn; DDIM: after it, and even when eta is 0). DPM-Solver++(2M) draws only x_T.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from glide_desktop.engine.cancel import CancelFlag, Cancelled, is_cancelled
from glide_desktop.engine.diffusion import CondFn, DenoisedFn, GaussianDiffusion, MeanVariance, ModelFn
from glide_desktop.engine.noise import NoiseSource
from glide_desktop.engine.types import SamplerName


@dataclass(frozen=True)
class SamplerStep:
    """One finished step: index counts from 0 to total-1; x_t is the new sample."""

    index: int
    total: int
    x_t: torch.Tensor  # N, C, H, W
    pred_xstart: torch.Tensor  # N, C, H, W


@dataclass(frozen=True)
class SamplerRun:
    """Everything a sampler step needs besides the current sample."""

    diffusion: GaussianDiffusion
    model_fn: ModelFn
    noise: NoiseSource
    denoised_fn: DenoisedFn | None
    cond_fn: CondFn | None
    clip_denoised: bool
    eta: float

    def predict(self, x: torch.Tensor, t: torch.Tensor) -> MeanVariance:
        """The model's reverse-step distribution at respaced indices t (one per row)."""
        return self.diffusion.p_mean_variance(self.model_fn, x, t, self.clip_denoised, self.denoised_fn)


def _index_tensor(x: torch.Tensor, i: int) -> torch.Tensor:
    """Respaced index i for every row of x, int64 like the reference's th.tensor([i] * N)."""
    return torch.full((x.shape[0],), i, dtype=torch.int64, device=x.device)  # N


@torch.no_grad()
def ancestral_step(run: SamplerRun, x: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One reference p_sample step: posterior mean (+ cond_fn via condition_mean) plus noise."""
    out = run.predict(x, t)
    noise = run.noise.randn(x.shape, like=x)  # drawn after the model call, before the cond_fn
    mean = out.mean if run.cond_fn is None else run.diffusion.condition_mean(run.cond_fn, out, x, t)
    return run.diffusion.ancestral_update(mean, out.log_variance, t, noise), out.pred_xstart


def ancestral(run: SamplerRun, x: torch.Tensor, indices: Sequence[int]) -> Iterator[SamplerStep]:
    """Ancestral sampling with learned variances (Ho et al. 2020; the reference p_sample_loop)."""
    for k, i in enumerate(indices):
        x, pred_xstart = ancestral_step(run, x, _index_tensor(x, i))
        yield SamplerStep(k, len(indices), x, pred_xstart)


@torch.no_grad()
def ddim_step(run: SamplerRun, x: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One reference ddim_sample step (cond_fn via condition_score)."""
    out = run.predict(x, t)
    if run.cond_fn is not None:
        out = run.diffusion.condition_score(run.cond_fn, out, x, t)
    noise = run.noise.randn(x.shape, like=x)  # drawn even at eta 0, so replays stay aligned
    return run.diffusion.ddim_update(x, t, out.pred_xstart, run.eta, noise), out.pred_xstart


def ddim(run: SamplerRun, x: torch.Tensor, indices: Sequence[int]) -> Iterator[SamplerStep]:
    """DDIM with stochasticity eta (Song et al. 2021, "Denoising Diffusion Implicit Models")."""
    for k, i in enumerate(indices):
        x, pred_xstart = ddim_step(run, x, _index_tensor(x, i))
        yield SamplerStep(k, len(indices), x, pred_xstart)


def _log_snr(alpha_bar: float) -> float:
    """lambda = log(alpha / sigma) for a cumulative alpha."""
    return 0.5 * (np.log(alpha_bar) - np.log1p(-alpha_bar))


@torch.no_grad()
def _data_prediction(run: SamplerRun, x: torch.Tensor, i: int) -> torch.Tensor:
    """The (guided, denoised_fn'd, clamped) x0 prediction that DPM-Solver++ integrates."""
    t = _index_tensor(x, i)
    out = run.predict(x, t)
    if run.cond_fn is not None:
        out = run.diffusion.condition_score(run.cond_fn, out, x, t)
    return out.pred_xstart


def _dpm_update(x: torch.Tensor, ab: float, ab_next: float, h: float, x0: torch.Tensor) -> torch.Tensor:
    """Exact integration of the linear part with x0 held constant (the first-order DPM-Solver++)."""
    ratio = float(np.sqrt((1 - ab_next) / (1 - ab)))
    return ratio * x - float(np.sqrt(ab_next) * np.expm1(-h)) * x0  # N, C, H, W


def dpmpp_2m(run: SamplerRun, x: torch.Tensor, indices: Sequence[int]) -> Iterator[SamplerStep]:
    """DPM-Solver++(2M), multistep second order in x0 (Lu et al. 2022, arXiv:2211.01095).

    It steps through the diffusion's own kept steps (a respacing such as "20" spaces them
    evenly in time, like the reference's) and ends with a jump to t = 0 that returns the last x0
    prediction. A step falls back to first order when it is more than twice as long in log-SNR
    as the one before (r < 1/2), because the extrapolation then amplifies errors: with evenly
    spaced times this happens at the first and the last steps.
    """
    alphas_cumprod = run.diffusion.alphas_cumprod
    previous, h_previous = None, 0.0
    for k, i in enumerate(indices):
        denoised = _data_prediction(run, x, i)
        if k + 1 == len(indices):
            x = denoised
        else:
            ab, ab_next = float(alphas_cumprod[i]), float(alphas_cumprod[indices[k + 1]])
            h = _log_snr(ab_next) - _log_snr(ab)
            x0 = denoised
            if previous is not None and h_previous >= h / 2:
                half_inv_r = h / (2 * h_previous)  # 1 / (2r) with r = h_previous / h
                x0 = (1 + half_inv_r) * denoised - half_inv_r * previous
            x = _dpm_update(x, ab, ab_next, h, x0)
            previous, h_previous = denoised, h
        yield SamplerStep(k, len(indices), x, denoised)


SAMPLERS = {SamplerName.ANCESTRAL: ancestral, SamplerName.DDIM: ddim, SamplerName.DPMPP_2M: dpmpp_2m}


def _initial_sample(noise: NoiseSource, shape: tuple[int, ...], x_T: torch.Tensor | None,
                    device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """The given x_T (checked), or a fresh draw: the first draw of every run."""
    if x_T is None:
        return noise.randn(shape, like=torch.empty(0, device=device, dtype=dtype))
    if tuple(x_T.shape) != shape:
        raise ValueError(f"x_T has shape {tuple(x_T.shape)} but the sample shape is {shape}")
    return x_T.to(device=device, dtype=dtype)


def sample(
    diffusion: GaussianDiffusion,
    model_fn: ModelFn,
    shape: Sequence[int],
    *,
    sampler: str = "ancestral",
    noise: NoiseSource,
    x_T: torch.Tensor | None = None,
    denoised_fn: DenoisedFn | None = None,
    cond_fn: CondFn | None = None,
    eta: float = 0.0,
    clip_denoised: bool = True,
    cancel: CancelFlag | None = None,
    start_index: int | None = None,
    device: str | torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> Iterator[SamplerStep]:
    """Run a sampler from x_T, yielding after every step; raises Cancelled when cancel is set.

    start_index (default: the last kept index) lets SDEdit-style callers begin part-way, with
    x_T already noised to that index by diffusion.q_sample.
    """
    name = str(getattr(sampler, "value", sampler))
    if name not in SAMPLERS:
        raise ValueError(f"unknown sampler {name!r}; expected one of {', '.join(SAMPLERS)}")
    if eta < 0:
        raise ValueError(f"eta must be >= 0, got {eta}")
    first = diffusion.num_timesteps - 1 if start_index is None else int(start_index)
    if not 0 <= first < diffusion.num_timesteps:
        raise ValueError(f"start_index {first} is outside 0..{diffusion.num_timesteps - 1}")
    if device is None:
        device = x_T.device if x_T is not None else "cpu"
    run = SamplerRun(diffusion, model_fn, noise, denoised_fn, cond_fn, clip_denoised, float(eta))
    indices = list(range(first, -1, -1))
    return _steps(run, SAMPLERS[name], tuple(shape), x_T, indices, cancel, torch.device(device), dtype)


def _steps(run: SamplerRun, sampler: Callable[..., Iterator[SamplerStep]], shape: tuple[int, ...],
           x_T: torch.Tensor | None, indices: list[int], cancel: CancelFlag | None,
           device: torch.device, dtype: torch.dtype) -> Iterator[SamplerStep]:
    """Drive one sampler, checking the cancel flag before every step."""
    if is_cancelled(cancel):
        raise Cancelled("sampling cancelled before the first step")
    x = _initial_sample(run.noise, shape, x_T, device, dtype)
    for step in sampler(run, x, indices):
        yield step
        # Checked here, when the consumer asks for more, so the next step never starts.
        if step.index + 1 < step.total and is_cancelled(cancel):
            raise Cancelled(f"sampling cancelled after step {step.index + 1} of {step.total}")
