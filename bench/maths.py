"""Maths for the web: the 40 test formulas as MathML, timed and weighed, and shown in Chromium.

Writes ``test-artifacts/maths-<variant>.html`` and, when ``/usr/bin/chromium`` exists, a
screenshot of each (``.png``) for a human look. Variants: ``raw`` (latex2mathml as is) and
``qbank`` (qbank.render.maths: latex2mathml plus its repairs and the allow-list).

    PYTHONPATH=src python bench/maths.py
"""

from __future__ import annotations

import gzip
import html
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from qbank.render import maths  # noqa: E402

FORMULAS = ROOT / "tests" / "fixtures" / "maths" / "formulas.txt"
OUT = ROOT / "test-artifacts"


def formulas() -> list[tuple[str, bool]]:
    rows = []
    for line in FORMULAS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            mode, tex = line.split("\t", 1)
            rows.append((tex, mode == "display"))
    return rows


def raw(tex: str, display: bool) -> str | None:
    import latex2mathml.converter

    try:
        return latex2mathml.converter.convert(tex, display="block" if display else "inline")
    except Exception:
        return None


def page(title: str, items: list[tuple[str, str | None]]) -> str:
    rows = "\n".join(
        f"<tr><td>{i}</td><td><code>{html.escape(tex)}</code></td><td>{m or '<b>FAILED</b>'}</td></tr>"
        for i, (tex, m) in enumerate(items, 1)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font:14px sans-serif}td{border-bottom:1px solid #ccc;padding:2px 8px}"
        "math{font-size:1.15em;font-family:'STIX Two Math','Cambria Math','Latin Modern Math','DejaVu Math TeX Gyre',math}</style></head><body><table>"
        f"{rows}</table></body></html>"
    )


def main() -> int:
    OUT.mkdir(exist_ok=True)
    rows = formulas()
    result: dict[str, object] = {"formulas": len(rows)}
    for name, fn in (("raw", raw), ("qbank", maths.to_mathml)):
        fn(*rows[0])  # warm (imports)
        start = time.perf_counter()
        for _ in range(5):
            if name == "qbank":
                maths._tree_bytes.cache_clear()
            out = [fn(tex, d) for tex, d in rows]
        ms = (time.perf_counter() - start) / (5 * len(rows)) * 1000
        weight = sum(len((m or "").encode()) for m in out)
        gz = len(gzip.compress("".join(m or "" for m in out).encode()))
        failed = sum(m is None for m in out)
        result[name] = {
            "ms_per_formula": round(ms, 3),
            "markup_bytes": weight,
            "gzip_bytes": gz,
            "failed": failed,
        }
        path = OUT / f"maths-{name}.html"
        path.write_text(page(name, [(t, m) for (t, _), m in zip(rows, out, strict=True)]), "utf-8")
        print(f"{name}: {ms:.3f} ms/formula, {weight} B ({gz} B gz), {failed} failed -> {path}")
    if Path("/usr/bin/chromium").exists():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            pg = b.new_page(viewport={"width": 900, "height": 800})
            for name in ("raw", "qbank"):
                pg.goto((OUT / f"maths-{name}.html").as_uri())
                pg.screenshot(path=str(OUT / f"maths-{name}.png"), full_page=True)
            b.close()
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
