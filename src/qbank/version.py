"""The qbank version, in a bottom-layer module so that reporters and the CLI can name it
without importing the :mod:`qbank` package's public API (keep in step with pyproject.toml)."""

__version__ = "0.1.0"
