"""The whole bench: each part in turn, gathered into one report (a dict the table and JSON are made from)."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from glide_desktop.bench import memory, responsiveness
from glide_desktop.bench.import_lateness import measure_import
from glide_desktop.bench.lateness import LatenessMonitor, application, wait_for
from glide_desktop.bench.machine import machine_info
from glide_desktop.bench.presets import bench_inpaint_request, estimate_preset, run_preset
from glide_desktop.bench.quality import image_deviation
from glide_desktop.bench.rates import matmul_gflops
from glide_desktop.bench.steps import NETWORKS, StepTiming, time_network
from glide_desktop.bench.stores import RandomWeightsStore, save_random_weights
from glide_desktop.engine.device import compute_dtype
from glide_desktop.engine.pipelines.model_cache import ModelCache
from glide_desktop.engine.presets import Preset, apply_preset
from glide_desktop.engine.types import Precision

DTYPES = {Precision.FP32: torch.float32, Precision.BF16: torch.bfloat16}
MEASURED_PRESETS = (Preset.DRAFT, Preset.BALANCED)  # Notebook is measured with --notebook only (~10 min)


@dataclass(frozen=True)
class BenchOptions:
    """What to run: the models (None: random full-size weights), quick or full, Notebook measured or not."""

    models: Path | None
    quick: bool
    notebook: bool = False
    threads: int | None = None


def precisions() -> list[Precision]:
    """fp32 always; bf16 where this CPU computes it natively (never emulated)."""
    from glide_desktop.engine.cpu_features import native_bf16_flags

    return [Precision.FP32, Precision.BF16] if native_bf16_flags() else [Precision.FP32]


def run_bench(options: BenchOptions, say=print) -> dict[str, Any]:  # noqa: ANN001 - progress printer
    """Run every part and return the report; `say` gets one line as each part starts."""
    if options.threads:
        torch.set_num_threads(options.threads)
    weights = "random full-size" if options.models is None else str(options.models)
    report: dict[str, Any] = {"machine": machine_info(), "quick": options.quick, "weights": weights}
    report["auto_precision"] = "bf16" if compute_dtype("cpu", Precision.AUTO) == torch.bfloat16 else "fp32"
    say("matmul rates")
    rates = {p.value: matmul_gflops(DTYPES[p]) for p in precisions()}
    report["matmul_gflops"] = {k: round(v, 1) for k, v in rates.items()}
    store = RandomWeightsStore() if options.models is None else _file_store(options.models)
    steps = _step_timings(store, options, rates, say)
    report["steps"] = [s.as_dict() for s in steps]
    report["presets"], report["deviation"] = _preset_runs(store, options, steps, say)
    with tempfile.TemporaryDirectory(prefix="glide-bench-") as scratch:
        folder = options.models
        if folder is None:  # the loader, the memory and the job thread need real files
            say("writing random full-size weights in the official format")
            folder = Path(scratch)
            save_random_weights(folder, memory.INPAINT_FILES)
        report["memory"] = _memory(folder, options, say)
        report["responsiveness"] = _responsiveness(folder, options, say)
    report["cuda"] = "not measured (no GPU in this session)"
    return report


def _file_store(folder: Path) -> Any:
    from glide_desktop.engine.models import ModelStore

    return ModelStore(folder)


def _step_timings(store: Any, options: BenchOptions, rates: dict[str, float], say) -> list[StepTiming]:  # noqa: ANN001
    repeats = 1 if options.quick else 2
    timings = []
    for precision in precisions():
        for name, rows, size in NETWORKS:
            say(f"per-step time: {name} {precision.value}")
            rate = rates[precision.value]
            timings.append(time_network(store, name, rows, size, DTYPES[precision], repeats, rate))
    return timings


def _timing(steps: list[StepTiming], network: str, precision: Precision) -> StepTiming:
    return next(s for s in steps if s.network == network and s.precision == precision.value)


def _preset_runs(store: Any, options: BenchOptions, steps: list[StepTiming], say) -> tuple[list, list]:  # noqa: ANN001
    runs, deviation = [], []
    for precision in precisions():
        cache = ModelCache(store)
        images = {}
        for preset in Preset:
            forced = apply_preset(bench_inpaint_request(precision), preset).precision
            if forced is not precision:
                continue  # Notebook runs in fp32 only
            measure = not options.quick and (preset in MEASURED_PRESETS or options.notebook)
            if measure:
                say(f"preset {preset.value} {precision.value}, end to end")
                run = run_preset(cache, preset, precision)
                images[preset] = run
            else:
                base = _timing(steps, "base_inpaint.pt", precision)
                up = _timing(steps, "upsample_inpaint.pt", precision)
                run = estimate_preset(preset, precision, base.step_s, up.step_s, base.text_s)
            runs.append(run)
        if precision is Precision.BF16:
            deviation = _deviation(runs, images)
        cache.clear()
    return [r.as_dict() for r in runs], deviation


def _deviation(runs: list, bf16_images: dict) -> list[dict[str, Any]]:
    rows = []
    for preset, bf16 in bf16_images.items():
        fp32 = next((r for r in runs if r.preset == preset.value and r.precision == "fp32"
                     and r.how == "measured"), None)
        if fp32 is None:
            continue
        rows.append({"preset": preset.value, "64px": image_deviation(fp32.image64, bf16.image64),
                     "256px": image_deviation(fp32.image256, bf16.image256)})
    return rows


def _memory(folder: Path, options: BenchOptions, say) -> dict[str, Any]:  # noqa: ANN001
    result = {}
    for precision in precisions():
        say(f"peak memory: both inpaint networks from files + one run, {precision.value} (fresh process)")
        result[precision.value] = memory.measure_peak(folder, precision.value, torch.get_num_threads())
    return result


def _responsiveness(folder: Path, options: BenchOptions, say) -> dict[str, Any]:  # noqa: ANN001
    say("GUI lateness with an idle worker (this machine's floor)")
    result: dict[str, Any] = {"gui_idle": _idle_floor()}
    say("GUI lateness while a fresh process imports torch on a worker thread")
    result["gui_import"] = measure_import()
    from glide_desktop.jobs.engine_runner import EngineRunner

    say("job thread: preload, first preview, cancel in each stage (Draft's samplers, 3+3 steps, Auto)")
    # Three steps per stage are enough to cancel half-way through each stage's third step.
    draft = apply_preset(bench_inpaint_request(Precision.AUTO), Preset.DRAFT)
    request = replace(draft, steps=3, upsample_steps=3)
    result.update(responsiveness.measure(EngineRunner(folder, threads=torch.get_num_threads()), request))
    return result


def _idle_floor(seconds: float = 3.0) -> dict[str, float]:
    application()
    monitor = LatenessMonitor()
    monitor.start()
    end = time.perf_counter() + seconds
    wait_for(lambda: time.perf_counter() > end, seconds + 1)
    return monitor.stop()
