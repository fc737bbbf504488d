"""Find the user-customisable exporter assets (templates, CSS, schemas, players).

The assets are plain files under ``exporters/<target>/`` so that a user can restyle an
export without touching code. In a checkout they live at the repository root; a wheel ships
them as ``qbank/_exporters`` (``pyproject.toml`` force-includes the folder). This helper
hides the difference: the packaged copy wins, the checkout is the fallback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["AssetNotFound", "asset_dir", "asset_path", "read_asset"]


class AssetNotFound(FileNotFoundError):
    """An exporter asset is missing from both the package and the checkout."""


def _candidates(target: str) -> list[Path]:
    package = Path(__file__).resolve().parent  # the qbank package folder
    return [
        package / "_exporters" / target,  # installed wheel
        package.parents[1] / "exporters" / target,  # src layout checkout: <root>/src/qbank
    ]


def asset_dir(target: str) -> Path:
    """The folder holding ``target``'s assets (e.g. ``asset_dir("anki")``)."""
    for folder in _candidates(target):
        if folder.is_dir():
            return folder
    tried = ", ".join(str(p) for p in _candidates(target))
    raise AssetNotFound(f"exporter assets for {target!r} not found (looked in {tried})")


def asset_path(target: str, name: str) -> Path:
    """Path of one asset, e.g. ``asset_path("anki", "choice.front.html")``."""
    for folder in _candidates(target):
        path = folder / name
        if path.is_file():
            return path
    tried = ", ".join(str(p / name) for p in _candidates(target))
    raise AssetNotFound(f"exporter asset {target}/{name} not found (looked in {tried})")


def read_asset(target: str, name: str) -> str:
    """The text of one asset (UTF-8)."""
    return asset_path(target, name).read_text(encoding="utf-8")
