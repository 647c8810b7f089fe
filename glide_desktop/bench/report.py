"""The bench report as one plain-text table (the JSON holds the same figures)."""

from __future__ import annotations

from typing import Any


def _gb(mb: Any) -> str:
    return f"{mb / 1024:.2f} GB" if isinstance(mb, int | float) else "n/a"


def _late(entry: dict[str, Any] | None) -> str:
    if not entry or "p99_ms" not in entry:
        return "n/a" if not entry else f"n/a ({entry.get('error', '')})"
    return f"p99 {entry['p99_ms']:.1f} / max {entry['max_ms']:.1f} ms"


def _header(report: dict[str, Any]) -> list[str]:
    machine = report["machine"]
    load = machine.get("load_average")
    rates = ", ".join(f"{k} {v:,.0f}" for k, v in report["matmul_gflops"].items())
    kind = "--quick: 1 timed step, presets estimated" if report["quick"] else "full"
    return [
        f"CPU {machine['cpu']} [{' '.join(machine['flags'])}], torch {machine['torch']} "
        f"({machine['torch_cpu_capability']}), {machine['threads']} threads of {machine['logical_cpus']} "
        f"CPUs, load average at start {load}",
        f"weights: {report['weights']}; {kind}; Auto precision here: {report['auto_precision']}",
        f"matmul 2048^3 same run: {rates} GFLOP/s",
    ]


def _steps(report: dict[str, Any]) -> list[str]:
    lines = ["", f"{'network':<20}{'prec':<6}{'batch':>8}{'load s':>9}{'text s':>9}{'step s':>9}"
             f"{'GFLOP/s':>10}{'of matmul':>11}"]
    for s in report["steps"]:
        lines.append(f"{s['network']:<20}{s['precision']:<6}{str(s['rows']) + 'x' + str(s['size']):>8}"
                     f"{s['load_s']:>9.2f}{s['text_s']:>9.2f}{s['step_s']:>9.2f}{s['gflops']:>10.1f}"
                     f"{100 * s['matmul_share']:>10.0f}%")
    by = {(s["network"], s["precision"]): s["step_s"] for s in report["steps"]}
    ups = [f"{n.split('.')[0]} {by[(n, 'fp32')] / by[(n, 'bf16')]:.2f}x" for n, p in by if p == "bf16"]
    if ups:
        lines.append("bf16 speed-up per step: " + ", ".join(ups))
    return lines


def _presets(report: dict[str, Any]) -> list[str]:
    lines = ["", f"{'preset':<10}{'prec':<6}{'how':<10}{'total s':>9}{'1st preview s':>15}{'1st 64px s':>12}"]
    for r in report["presets"]:
        lines.append(f"{r['preset']:<10}{r['precision']:<6}{r['how']:<10}{r['total_s']:>9.1f}"
                     f"{r['first_preview_s']:>15.2f}{r['first_candidate_s']:>12.1f}")
    for d in report["deviation"]:
        a, b = d["64px"], d["256px"]
        lines.append(f"bf16 vs fp32, {d['preset']}: 64 px max {a['max']:.0f} mean {a['mean']:.2f} PSNR "
                     f"{a['psnr_db']:.1f} dB; 256 px max {b['max']:.0f} mean {b['mean']:.2f} "
                     f"PSNR {b['psnr_db']:.1f} dB")
    return lines


def _memory(report: dict[str, Any]) -> list[str]:
    mem = report["memory"]
    parts = []
    for precision, m in mem.items():
        if "error" in m:
            parts.append(f"{precision} failed ({m['error']})")
        else:
            parts.append(f"{precision} {_gb(m['peak_rss_mb'])} (after loading {_gb(m['rss_after_load_mb'])}, "
                         f"load {m['load_s']:.1f} s)")
    return ["", "peak RSS, both inpaint networks from files + one run (fresh process): " + "; ".join(parts)]


def _responsiveness(report: dict[str, Any]) -> list[str]:
    r = report["responsiveness"]
    lines = ["", f"GUI lateness, idle worker (this machine's floor): {_late(r.get('gui_idle'))}",
             f"GUI lateness, worker importing torch: {_late(r.get('gui_import'))}"
             + (f" ({r['gui_import']['import_s']:.1f} s)" if "import_s" in r.get("gui_import", {}) else "")]
    lines += [f"GUI lateness, preloading both networks ({r['preload_s']:.1f} s): {_late(r.get('gui_load'))}",
              f"GUI lateness, sampling: {_late(r.get('gui_sampling'))}",
              f"first preview after Generate, networks loaded: {r['first_preview_s']:.2f} s",
              f"cancel latency: base stage {r['cancel_base_s']:.2f} s, "
              f"upsample stage {r['cancel_upsample_s']:.2f} s"]
    return lines


def format_table(report: dict[str, Any]) -> str:
    """Every figure of the report as aligned text lines."""
    lines = _header(report) + _steps(report) + _presets(report) + _memory(report) + _responsiveness(report)
    lines += ["", f"CUDA: {report['cuda']}"]
    return "\n".join(lines)
