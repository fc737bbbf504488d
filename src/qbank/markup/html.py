"""Rendering to safe HTML (Anki, web): markdown-it's renderer with qbank's rules for maths,
links (allowed schemes only, ``rel="noopener noreferrer"``) and images (the exporter's
``src``, alt text when the source is not allowed). Registered on the shared parser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from qbank.markup.links import image_src_allowed, link_allowed
from qbank.markup.maths import math_source
from qbank.markup.parser import MD
from qbank.markup.types import MediaRef


def attr(token: Token, name: str) -> str:
    value = token.attrGet(name)
    return "" if value is None else str(value)


def _render_math_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<span class="math">' + escapeHtml(math_source(tokens[idx])) + "</span>"


def _render_math_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="math">' + escapeHtml(math_source(tokens[idx])) + "</div>\n"


def _render_math_stray(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return escapeHtml(tokens[idx].content)


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = attr(token, "href")
    allowed = link_allowed(href)
    env.setdefault("_qbank_links", []).append(allowed)
    if not allowed:
        return ""  # keep the label as text, drop the target
    title = attr(token, "title")
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    return f'<a href="{escapeHtml(href)}"{title_attr} rel="noopener noreferrer">'


def _render_link_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    stack = env.get("_qbank_links") or [True]
    return "</a>" if stack.pop() else ""


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    refs: dict[int, MediaRef] = env["_qbank_refs"]
    ref = refs[id(token)]
    media: Callable[[MediaRef], str] | None = env.get("_qbank_media")
    src = media(ref) if media is not None else attr(token, "src")
    if not image_src_allowed(src):
        return escapeHtml(ref.alt)
    title = attr(token, "title")
    title_attr = f' title="{escapeHtml(title)}"' if title else ""
    return f'<img src="{escapeHtml(src)}" alt="{escapeHtml(ref.alt)}"{title_attr} />'


_RENDERER = MD.renderer
if not isinstance(_RENDERER, RendererHTML):  # pragma: no cover - markdown-it's default
    raise TypeError("qbank.markup needs markdown-it's HTML renderer")
HTML_RENDERER: RendererHTML = _RENDERER
for _name, _fn in {
    "math_inline": _render_math_inline,
    "math_block": _render_math_block,
    "math_stray": _render_math_stray,
    "link_open": _render_link_open,
    "link_close": _render_link_close,
    "image": _render_image,
}.items():
    MD.add_render_rule(_name, _fn)
