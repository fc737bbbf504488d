"""The qbank version, in a bottom-layer module so that reporters and the CLI can name it
without importing the :mod:`qbank` package's public API (the single source: pyproject.toml reads it through hatch's version source)."""

__version__ = "0.1.0"
