"""`make bench`: the pipeline's stages timed on generated corpora (see README.md here)."""

# every bench process runs as the pipeline's own do: with the process settings `orchestration` makes on import
# (its allocator setting must come before Polars loads, and `python -m benchmarks.stages` imports this first)
import orchestration  # noqa: F401
