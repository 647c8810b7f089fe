"""GLIDE's diffusion networks in PyTorch: the text-conditioned UNet and its text encoder."""

from glide_desktop.engine.nn.layers import timestep_embedding
from glide_desktop.engine.nn.text import TextConditioning
from glide_desktop.engine.nn.unet import GlideUNet, build_unet, convert_to_fp16

__all__ = ["GlideUNet", "TextConditioning", "build_unet", "convert_to_fp16", "timestep_embedding"]
