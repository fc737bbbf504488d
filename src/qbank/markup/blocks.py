"""Rendering to Word blocks: paragraphs of formatted runs, list items, code blocks and
images, for the docx exporter (see :data:`~qbank.markup.types.Block`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it.tree import SyntaxTreeNode

from qbank.markup.links import link_allowed
from qbank.markup.maths import math_source
from qbank.markup.types import Block, CodeBlock, Image, ListItem, MediaRef, Paragraph, Run


class BlockBuilder:
    """Turns the syntax tree into :data:`Block` objects (see :meth:`Markup.blocks`)."""

    def __init__(self, refs: dict[int, MediaRef]) -> None:
        self.refs = refs
        self.out: list[Block] = []

    def runs(self, nodes: Sequence[SyntaxTreeNode], fmt: dict[str, Any]) -> list[Run]:
        runs: list[Run] = []
        for node in nodes:
            t = node.type
            if t in ("text", "text_special", "math_stray", "html_inline"):
                if node.content:  # emphasis processing leaves empty text tokens
                    runs.append(Run(node.content, **fmt))
            elif t == "softbreak":
                runs.append(Run(" ", **fmt))
            elif t == "hardbreak":
                runs.append(Run("\n"))
            elif t == "code_inline":
                runs.append(Run(node.content, **{**fmt, "code": True}))
            elif t == "math_inline":
                runs.append(Run(math_source(node), **{**fmt, "math": True}))
            elif t == "image" and node.token is not None:
                ref = self.refs[id(node.token)]
                runs.append(Run(ref.alt, **fmt, image=ref))
            elif t == "em":
                runs.extend(self.runs(node.children, {**fmt, "italic": True}))
            elif t == "strong":
                runs.extend(self.runs(node.children, {**fmt, "bold": True}))
            elif t == "s":
                runs.extend(self.runs(node.children, {**fmt, "strike": True}))
            elif t == "link":
                href = str(node.attrs.get("href", ""))
                url = href if link_allowed(href) else None
                runs.extend(self.runs(node.children, {**fmt, "url": url}))
            else:
                runs.extend(self.runs(node.children, fmt))
        return _merge(runs)

    def inline(self, node: SyntaxTreeNode) -> list[Run]:
        return self.runs(node.children[0].children, {}) if node.children else []

    def walk(self, nodes: Sequence[SyntaxTreeNode], *, depth: int, quote: bool) -> None:
        for node in nodes:
            t = node.type
            if t in ("paragraph", "heading"):
                runs = self.inline(node)
                if len(runs) == 1 and runs[0].image is not None and t == "paragraph":
                    self.out.append(Image(runs[0].image))
                    continue
                level = int(node.tag[1]) if t == "heading" else 0
                self.out.append(Paragraph(tuple(runs), heading=level, quote=quote))
            elif t in ("fence", "code_block"):
                lang = node.info.strip().split()[0] if node.info.strip() else ""
                self.out.append(CodeBlock(node.content.rstrip("\n"), lang))
            elif t == "math_block":
                run = Run(math_source(node), math=True)
                self.out.append(Paragraph((run,), quote=quote))
            elif t in ("bullet_list", "ordered_list"):
                self.items(node, depth=depth, quote=quote)
            elif t == "blockquote":
                self.walk(node.children, depth=depth, quote=True)
            elif t == "table":
                for section in node.children:
                    for tr in section.children:
                        runs = []
                        for i, cell in enumerate(tr.children):
                            if i:
                                runs.append(Run("\t"))
                            runs.extend(self.inline(cell))
                        self.out.append(Paragraph(tuple(_merge(runs)), quote=quote))

    def items(self, node: SyntaxTreeNode, *, depth: int, quote: bool) -> None:
        ordered = node.type == "ordered_list"
        number = int(str(node.attrs.get("start", 1))) if ordered else None
        for item in node.children:
            runs: list[Run] = []
            rest: list[SyntaxTreeNode] = []
            for child in item.children:
                if child.type == "paragraph" and not rest:
                    if runs:
                        runs.append(Run("\n"))
                    runs.extend(self.inline(child))
                else:
                    rest.append(child)
            self.out.append(ListItem(tuple(_merge(runs)), ordered, number, depth))
            self.walk(rest, depth=depth + 1, quote=quote)
            if number is not None:
                number += 1


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring runs with the same formatting (fewer Word runs)."""
    merged: list[Run] = []
    for run in runs:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and run.image is None
            and prev.image is None
            and not run.math
            and not prev.math
            and run.text != "\n"
            and prev.text != "\n"
            and (prev.bold, prev.italic, prev.strike, prev.code, prev.url)
            == (run.bold, run.italic, run.strike, run.code, run.url)
        ):
            merged[-1] = Run(
                prev.text + run.text,
                prev.bold,
                prev.italic,
                prev.strike,
                prev.code,
                False,
                prev.url,
            )
        else:
            merged.append(run)
    return merged
