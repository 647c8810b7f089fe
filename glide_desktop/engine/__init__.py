"""GLIDE in PyTorch: tokenizers, networks, diffusion, samplers, pipelines, checkpoints (no Qt)."""
