"""Headless entry points: `python -m glide_desktop generate|inpaint|variation|sketch|bench ...`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from glide_desktop import cli_bench, cli_detail, cli_io
from glide_desktop.engine.errors import user_message
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
    "inpaint": "Regenerate the white area of --mask in --image from a prompt.",
    "variation": "Redraw --image following the prompt (SDEdit: noise it to --strength, then denoise).",
    "sketch": "Turn a rough painting (--image) into an image following the prompt (SDEdit).",
}
SOURCE_NOTE = (
    "The source image may have any size: it is center-cropped to a square and resized to 256x256, "
    "and the mask is cropped the same way."
)


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
                        "(default: $GLIDE_MODELS_DIR or the per-user data folder)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    parser.add_argument("--sampler", default=SamplerName.ANCESTRAL.value,
                        choices=[s.value for s in SamplerName], help="base-stage sampler")
    parser.add_argument("--steps", type=int, default=100, help="base-stage steps (default 100)")
    parser.add_argument("--upsample-steps", type=int, default=27,
                        help="upsampler steps (default 27, the notebooks' fast27 schedule)")
    parser.add_argument("--guidance", type=float, default=5.0 if mode is Mode.INPAINT else 3.0,
                        help="classifier-free guidance scale (unused with --clip-guidance)")
    if mode is not Mode.INPAINT:
        parser.add_argument("--clip-guidance", type=float, default=0.0, metavar="SCALE",
                            help="steer the base stage with the noised CLIP at this scale instead of "
                            "classifier-free guidance (the official notebook uses 3; needs "
                            "clip_image_enc.pt and clip_text_enc.pt; default 0 = off)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed + device = same images)")
    parser.add_argument("--candidates", type=int, default=4, help="how many images to make (default 4)")
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
        sub = commands.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name],
                                  epilog=None if mode is Mode.TEXT2IM else SOURCE_NOTE)
        _add_common(sub, mode)
    cli_bench.add_bench_parser(commands)
    return parser


def request_from_args(args: argparse.Namespace, mode: Mode) -> GenerationRequest:
    """Read the input files and turn the arguments into a GenerationRequest."""
    source, selection = None, None
    if mode is not Mode.TEXT2IM:
        source, size = cli_io.load_source(args.image)
        if args.mask is not None:
            selection = cli_io.load_selection(args.mask, size)
    return GenerationRequest(
        mode=mode, prompt=args.prompt, negative_prompt=args.negative_prompt, seed=args.seed,
        sampler=SamplerName(args.sampler), steps=args.steps, upsample_steps=args.upsample_steps,
        guidance=args.guidance, clip_guidance=getattr(args, "clip_guidance", 0.0),
        candidates=args.candidates, strength=getattr(args, "strength", 0.6), upsample=not args.no_upsample,
        source256=source, selection64=selection, device=args.device,
    )


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


def run(request: GenerationRequest, folder: Path, output: str, quiet: bool,
        finish: cli_detail.Finish | None = None, store: object = None) -> list[Path]:
    """Run the pipeline, showing progress on stderr, and write the PNGs; returns their paths.

    finish, when given, turns each 256 px result into the image to write (--detail).
    """
    from glide_desktop.engine.models import ModelStore
    from glide_desktop.engine.pipelines import generate

    bar = cli_io.ProgressBar(sys.stderr, enabled=not quiet)
    written: list[Path] = []
    for event in generate(request, store or ModelStore(folder)):
        if isinstance(event, Progress):
            bar.update(event.stage, event.step, event.total)
        elif isinstance(event, Candidates) and not request.upsample:
            for index, image in enumerate(event.images64):
                written.append(_write(image, output, request, index))
        elif isinstance(event, Result):
            image = event.image256 if finish is None else finish(event.image256, event.candidate)
            written.append(_write(image, output, request, event.candidate))
    bar.finish()
    return written


def _write(image: np.ndarray, output: str, request: GenerationRequest, candidate: int) -> Path:
    """Save one image under the output pattern; a folder or disk problem becomes a CliError."""
    path = cli_io.output_path(output, request.seed, candidate, request.candidates)
    try:
        return cli_io.save_png(image, path, request, candidate)
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or error}") from None


def _execute(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    from glide_desktop.engine.locations import default_models_dir

    folder = args.models if args.models is not None else default_models_dir()
    if args.command == "bench":
        request = cli_bench.bench_request(args)
        weights = None if args.random_weights else folder  # None: random full-size weights
        if weights is not None:
            _check_models(weights, request)
        print(cli_bench.run_bench(request, weights))
        return 0
    mode = COMMANDS[args.command]
    request = request_from_args(args, mode)
    _check_models(folder, request)
    finish, store = None, None
    if getattr(args, "detail", False):
        if not request.upsample:
            raise CliError("--detail repaints the 256 px result: leave out --no-upsample")
        from glide_desktop.engine.models import ModelStore
        from glide_desktop.engine.pipelines.model_cache import ModelCache

        store = ModelCache(ModelStore(folder))  # the upsampler loads once for both passes
        finish = cli_detail.whole_image_detail(args, request, store)
    for path in run(request, folder, args.output, args.quiet, finish, store):
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
