"""Headless entry points: `python -m glide_desktop generate|inpaint|variation|sketch|bench ...`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from glide_desktop import cli_bench, cli_detail, cli_io
from glide_desktop.cli_inpaint import WholePicture
from glide_desktop.engine.errors import user_message
from glide_desktop.engine.presets import DEFAULT_PRESET, Preset, apply_preset
from glide_desktop.engine.types import Candidates, GenerationRequest, Mode, Progress, Result, SamplerName

COMMANDS: dict[str, Mode] = {
    "generate": Mode.TEXT2IM,
    "inpaint": Mode.INPAINT,
    "variation": Mode.VARIATION,
    "sketch": Mode.SKETCH,
}
COMMAND_NAMES = (*COMMANDS, "bench")  # what __main__ hands to main()
DEBUG_ENV = "GLIDE_DEBUG"  # set: unexpected errors end with their traceback
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

DESCRIPTIONS = {
    "generate": "Generate images from a prompt (base model at 64 px, then the 256 px upsampler).",
    "inpaint": "Regenerate the white area of --mask in --image from a prompt; writes the whole image.",
    "variation": "Redraw --image following the prompt (SDEdit: noise it to --strength, then denoise).",
    "sketch": "Turn a rough painting (--image) into an image following the prompt (SDEdit).",
}
SOURCE_NOTE = (
    "The source image may have any size: it is center-cropped to a square and resized to 256x256, "
    "and the mask is cropped the same way."
)
INPAINT_NOTE = (
    "The image may have any size. As in the editor, GLIDE sees a square around the white area of the "
    "mask (with some surroundings), and the result is blended back into the whole image: OUT has the "
    "image's size, and every pixel where the mask is black is the image's own. With --candidates N, "
    "the first candidate is written to OUT and the others next to it as OUT-1.png, OUT-2.png ... "
    "--crops writes the generated 256x256 squares instead."
)
ImageWriter = Callable[[np.ndarray, int], Path]  # (image, candidate) -> the path written


class CliError(Exception):
    """Bad input or missing files: the message is printed and the exit code is 2."""


def _add_common(parser: argparse.ArgumentParser, mode: Mode) -> None:
    parser.add_argument("--prompt", required=True, help="what to draw")
    parser.add_argument("--negative-prompt", default="",
                        help="what to steer away from (replaces the empty prompt)")
    if mode is not Mode.TEXT2IM:
        parser.add_argument("--image", required=True, type=Path, help="source image (any size; see below)")
    optional = "" if mode is Mode.INPAINT else " (optional: the rest is kept)"
    if mode is not Mode.TEXT2IM:
        parser.add_argument("--mask", required=mode is Mode.INPAINT, type=Path,
                            help="PNG mask, white = regenerate" + optional)
    if mode in (Mode.VARIATION, Mode.SKETCH):
        default = 0.6 if mode is Mode.VARIATION else 0.8
        parser.add_argument("--strength", type=float, default=default,
                            help=f"how far to noise the source, 0..1 (default {default})")
    parser.add_argument("--models", type=Path, default=None, help="folder with the GLIDE .pt files "
                        "(default: $GLIDE_MODELS_DIR, else the folder chosen in the app's Model Files, "
                        "else the per-user data folder)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    parser.add_argument("--preset", default=DEFAULT_PRESET.value, choices=[p.value for p in Preset],
                        help="quality preset: the sampler and steps of both stages, as in the app "
                        f"(default {DEFAULT_PRESET.value}; notebook = the official 100 + fast27 recipe)")
    samplers = [s.value for s in SamplerName]
    parser.add_argument("--sampler", default=None, choices=samplers,
                        help="base-stage sampler (default: the preset's)")
    parser.add_argument("--steps", type=int, default=None, help="base-stage steps (default: the preset's)")
    parser.add_argument("--upsample-sampler", default=None, choices=samplers,
                        help="upsampler's sampler (default: the preset's)")
    parser.add_argument("--upsample-steps", type=int, default=None,
                        help="upsampler steps (default: the preset's; 27 = the notebooks' fast27 schedule)")
    parser.add_argument("--guidance", type=float, default=5.0 if mode is Mode.INPAINT else 3.0,
                        help="classifier-free guidance scale (unused with --clip-guidance)")
    if mode is not Mode.INPAINT:
        parser.add_argument("--clip-guidance", type=float, default=0.0, metavar="SCALE",
                            help="steer the base stage with the noised CLIP at this scale instead of "
                            "classifier-free guidance (the official notebook uses 3; needs "
                            "clip_image_enc.pt and clip_text_enc.pt; default 0 = off)")
    else:
        parser.add_argument("--crops", action="store_true",
                            help="write the generated 256x256 squares, not the whole image")
        parser.add_argument("--feather", type=float, default=None, metavar="PX",
                            help="soft edge inside the mask, in image pixels "
                            "(default: about one generated pixel)")
        parser.add_argument("--match-colour", action="store_true",
                            help="shift the generated area's colour to match the pixels around it")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed + device = same images)")
    parser.add_argument("--candidates", type=int, default=1, help="how many images to make (default 1); "
                        "when the CLIP files are in the models folder, each gets a CLIP score")
    parser.add_argument("--no-upsample", action="store_true", help="stop at the 64x64 candidates")
    parser.add_argument("--output", default="glide-{seed}-{index}.png",
                        help="PNG path; {index} and {seed} are filled in, and -N is added when several "
                        "images are written to one name (default glide-{seed}-{index}.png)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    if mode is Mode.INPAINT:
        cli_detail.add_detail_option(parser)


EDITOR_EPILOG = """\
With no command, or with image paths, {prog} opens the editor:
  {prog} [IMAGE ...]
  {prog} selftest     check this installation offline (a tiny model inpaints, saves and reopens an .ora)
  {prog} --version    print the version"""


def program_name() -> str:
    """What the user typed to start us: glide-desktop when frozen, python -m glide_desktop from source."""
    return "glide-desktop" if getattr(sys, "frozen", False) else "python -m glide_desktop"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per mode."""
    prog = program_name()
    parser = argparse.ArgumentParser(prog=prog, description="GLIDE Desktop, headless.",
                                     epilog=EDITOR_EPILOG.format(prog=prog),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, mode in COMMANDS.items():
        epilog = {Mode.TEXT2IM: None, Mode.INPAINT: INPAINT_NOTE}.get(mode, SOURCE_NOTE)
        sub = commands.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name],
                                  epilog=epilog)
        _add_common(sub, mode)
    cli_bench.add_bench_parser(commands)
    return parser


def request_from_args(args: argparse.Namespace, mode: Mode,
                      whole: WholePicture | None = None) -> GenerationRequest:
    """Turn the arguments into a GenerationRequest; inpaint's source comes from the whole picture's crop."""
    source, selection = None, None
    if whole is not None:
        source, selection = whole.crop.source256, whole.crop.selection64
    elif mode is not Mode.TEXT2IM:
        source, size = cli_io.load_source(args.image)
        if args.mask is not None:
            selection = cli_io.load_selection(args.mask, size)
    request = apply_preset(GenerationRequest(
        mode=mode, prompt=args.prompt, negative_prompt=args.negative_prompt, seed=args.seed,
        guidance=args.guidance, clip_guidance=getattr(args, "clip_guidance", 0.0),
        candidates=args.candidates, strength=getattr(args, "strength", 0.6), upsample=not args.no_upsample,
        source256=source, selection64=selection, device=args.device,
    ), Preset(args.preset))
    chosen = {"sampler": args.sampler and SamplerName(args.sampler), "steps": args.steps,
              "upsample_sampler": args.upsample_sampler and SamplerName(args.upsample_sampler),
              "upsample_steps": args.upsample_steps}
    return replace(request, **{key: value for key, value in chosen.items() if value is not None})


def _check_models(folder: Path, request: GenerationRequest) -> None:
    """Fail before loading torch when a needed checkpoint file is not in the folder."""
    from glide_desktop.engine.locations import describe_missing, missing_files

    clip = request.clip_guidance > 0
    missing = missing_files(folder, request.mode, clip_guidance=clip)
    if not request.upsample:
        missing = [name for name in missing if not name.startswith("upsample")]
    if missing:
        hint = "\n(choose another folder with --models FOLDER or the GLIDE_MODELS_DIR variable"
        if clip and any(name.startswith("clip_") for name in missing):
            hint += ", or leave out --clip-guidance"
        raise CliError(describe_missing(folder, missing) + hint + ")")


def run(request: GenerationRequest, folder: Path, write: ImageWriter, quiet: bool,
        rank: bool = False, store: object = None) -> list[Path]:
    """Run the pipeline, showing progress on stderr, and write each image with `write`; returns the paths.

    rank: score the candidates with the noised CLIP (the files must be in folder) and print the scores.
    """
    from glide_desktop.engine.models import ModelStore
    from glide_desktop.engine.pipelines import generate

    store = store or ModelStore(folder)
    bar = cli_io.ProgressBar(sys.stderr, enabled=not quiet)
    written: list[Path] = []
    for event in generate(request, store):
        if isinstance(event, Progress):
            bar.update(event.stage, event.step, event.total)
        elif isinstance(event, Candidates):
            if rank:
                bar.finish()
                _print_scores(request, event.images64, store)
            if not request.upsample:
                written.extend(write(image, index) for index, image in enumerate(event.images64))
        elif isinstance(event, Result):
            written.append(write(event.image256, event.candidate))
    bar.finish()
    return written


def _print_scores(request: GenerationRequest, images64: np.ndarray, store: object) -> None:
    """The candidates' CLIP scores against the prompt, best first, on stderr."""
    from glide_desktop.engine.pipelines import best_first, rank_candidates

    scores = rank_candidates(request.prompt, images64, store, request.device)
    listed = "  ".join(f"#{index}: {scores[index]:+.3f}" for index in best_first(scores))
    print(f"CLIP score against the prompt, best first: {listed}", file=sys.stderr)


def _writer(args: argparse.Namespace, request: GenerationRequest, whole: WholePicture | None,
            finish: cli_detail.Finish | None = None) -> ImageWriter:
    """How each image is written: the whole picture with the result blended in (and detailed), or as is."""
    extra = {"preset": args.preset}
    seed, count = request.seed, request.candidates
    if whole is None:
        return lambda image, index: _write(image, cli_io.output_path(args.output, seed, index, count),
                                           request, index, extra)
    rect = whole.crop.rect
    extra["crop"] = f"{rect.x},{rect.y},{rect.w},{rect.h}"  # the square GLIDE saw, in image pixels
    fill = finish or (lambda image, _index: whole.filled(image))
    return lambda image, index: _write(fill(image, index), cli_io.whole_image_path(args.output, seed, index),
                                       request, index, extra)


def _write(image: np.ndarray, path: Path, request: GenerationRequest, candidate: int,
           extra: dict[str, object]) -> Path:
    """Save one image; a folder or disk problem becomes a CliError."""
    try:
        return cli_io.save_png(image, path, request, candidate, extra)
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or error}") from None


def _execute(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    from glide_desktop.engine.locations import clip_available, default_models_dir

    folder = args.models if args.models is not None else default_models_dir()
    if args.command == "bench":
        request = cli_bench.bench_request(args)
        weights = None if args.random_weights else folder  # None: random full-size weights
        if weights is not None:
            _check_models(weights, request)
        print(cli_bench.run_bench(request, weights))
        return 0
    mode = COMMANDS[args.command]
    whole = None
    if mode is Mode.INPAINT:
        whole = WholePicture.load(args.image, args.mask, args.feather, args.match_colour)
    request = request_from_args(args, mode, whole)
    _check_models(folder, request)
    store = None
    finish: cli_detail.Finish | None = None
    if getattr(args, "detail", False):
        if not request.upsample or whole is None or getattr(args, "crops", False):
            raise CliError("--detail repaints the whole image at its own resolution: leave out "
                           "--no-upsample and --crops")
        from glide_desktop.engine.models import ModelStore
        from glide_desktop.engine.pipelines.model_cache import ModelCache

        store = ModelCache(ModelStore(folder))  # the upsampler loads once for both passes
        finish = cli_detail.whole_image_detail(whole, request, store, args.quiet)
    rank = request.candidates > 1 and clip_available(folder)
    write = _writer(args, request, None if getattr(args, "crops", False) else whole, finish)
    for path in run(request, folder, write, args.quiet, rank, store):
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one CLI command; exit code 0 on success, 2 on bad input or missing models, 1 on a bug."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _execute(argv)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\ncancelled", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - every failure reaches the user as a message
        message = user_message(error)
        if message is not None:
            print(f"error: {message}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"error: unexpected {type(error).__name__}: {error}\n(this is a bug; set {DEBUG_ENV}=1 to see "
              "where it happened)", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
