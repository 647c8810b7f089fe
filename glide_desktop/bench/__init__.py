"""`python -m glide_desktop bench`: the speed and memory figures of issue 8, as one table and JSON."""
