"""The Word exporter's fast paths give python-docx's own output, byte for byte.

``Builder._image`` (one image part and relationship per distinct file and content),
``Builder._shape_id`` (drawing ids by counter) and ``xml.new_pic_inline`` (copies of one
built picture element) replace python-docx's ``new_pic_inline`` per use, which re-reads,
re-hashes and re-searches the whole document each time; ``inline_runs`` skips the parser
for plain texts. Each is checked here against the code it replaces.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image as PILImage

from qbank import markup as mk
from qbank.draw import Selection, draw
from qbank.export import check_for_export
from qbank.export.docx import builder as builder_mod
from qbank.export.docx import export
from qbank.export.docx import xml as X
from qbank.load import load_bank
from qbank.render.images import for_word

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "tests/fixtures/images/flower.jpg"


def _python_docx_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code before the fast paths: python-docx's calls per picture."""

    def image(self: builder_mod.Builder, path: Path) -> tuple[str, object]:
        data = for_word(path).data
        return self.doc.part.get_or_add_image(io.BytesIO(data))

    def shape_id(self: builder_mod.Builder, p: X.Para) -> int:
        return int(self.doc.part.next_id)

    def new_pic_inline(shape_id: int, rid: str, filename: str, cx: int, cy: int) -> object:
        from docx.oxml.shape import CT_Inline
        from docx.shared import Emu

        return CT_Inline.new_pic_inline(shape_id, rid, filename, Emu(cx), Emu(cy))

    monkeypatch.setattr(builder_mod.Builder, "_image", image)
    monkeypatch.setattr(builder_mod.Builder, "_shape_id", shape_id)
    monkeypatch.setattr(X, "new_pic_inline", new_pic_inline)
    monkeypatch.setattr(builder_mod, "inline_runs", builder_mod.parsed_inline_runs)


def _pictures_bank(root: Path) -> Path:
    """Exhibits shared between questions, two file names of the same bytes, a PNG, a
    WebP (re-encoded for Word) and pictures in options."""
    media = root / "media"
    media.mkdir(parents=True)
    with PILImage.open(PHOTO) as photo:
        base = photo.convert("RGB")
        for i in range(6):
            base.crop((i * 20, i * 10, i * 20 + 300, i * 10 + 200)).save(media / f"e{i}.jpg")
        base.crop((0, 0, 120, 80)).save(media / "small.png")
        base.crop((5, 5, 200, 150)).save(media / "photo.webp")
    (media / "same.jpg").write_bytes((media / "e0.jpg").read_bytes())
    (root / "qbank.yaml").write_text("id: pictures\ntitle: Pictures\n", encoding="utf-8")
    lines = ["questions:"]
    for i in range(24):
        picture = ["e0.jpg", "e1.jpg", "same.jpg", "e2.jpg", "photo.webp", "e3.jpg"][i % 6]
        lines += [
            f"- id: q{i:02d}",
            "  type: single",
            "  text: |-",
            f"    Question {i}: which service does this show?",
            "",
            f"    ![Exhibit {i}](media/{picture})",
            "  options:",
            f"    - text: '![small](media/small.png) Service {i}'",
            "      correct: true",
            f"    - Service *{i}* two",
            f"    - '![e{i % 4}](media/e{i % 4}.jpg)'",
            "    - Plain option",
            f"  explanation: See ![Exhibit](media/e{i % 5}.jpg).",
        ]
    (root / "questions.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _export(bank_root: Path, out: Path, **kwargs: object) -> list[bytes]:
    bank = check_for_export(load_bank(bank_root)).bank
    drawn = draw(bank, Selection(count=20, seed="pictures", forms=2))
    result = export(drawn, out, bank=bank, **kwargs)  # type: ignore[arg-type]
    return [f.read_bytes() for f in result.files]


@pytest.mark.parametrize("key", ["separate", "append"])
def test_pictures_are_byte_for_byte_python_docx_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    bank = _pictures_bank(tmp_path / "bank")
    fast = _export(bank, tmp_path / "fast" / "w.docx", key=key)
    builder_mod.inline_runs.cache_clear()
    with monkeypatch.context() as m:
        _python_docx_way(m)
        slow = _export(bank, tmp_path / "slow" / "w.docx", key=key)
    builder_mod.inline_runs.cache_clear()
    assert len(fast) == len(slow) >= 2
    assert fast == slow
    # and the pictures are really there: one part per distinct content, ids 1, 2, 3 …
    with zipfile.ZipFile(io.BytesIO(fast[0])) as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
        document = z.read("word/document.xml").decode()
    assert 3 <= len(media) <= 9  # e0 and same.jpg are one part
    ids = [int(x) for x in re.findall(r'<wp:docPr id="(\d+)"', document)]
    assert ids == list(range(1, len(ids) + 1)) and len(ids) > 20


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab Zé9.-:$%+=@()'\"\u00e9\u4e2d\u0627")),
        min_size=1,
        max_size=30,
    )
)
def test_plain_text_runs_are_the_parser_s(text: str) -> None:
    if mk.is_plain(text):
        assert builder_mod.inline_runs(text) == builder_mod.parsed_inline_runs(text)


def test_plain_text_runs_on_real_option_texts() -> None:
    texts: set[str] = set()
    for bank_root in (ROOT / "bank", ROOT / "tests/fixtures/banks/physik-de"):
        for q in load_bank(bank_root).questions:
            for o in getattr(q, "options", None) or []:
                texts.add(o.text if hasattr(o, "text") else str(o))
    texts.update(["Service 1-2", "a  b", "x: y", "2 + 2 = 4", "100%", "e-mail@host", "1a"])
    plain = [t for t in texts if mk.is_plain(t)]
    assert len(plain) > 20
    for t in plain:
        assert builder_mod.inline_runs(t) == builder_mod.parsed_inline_runs(t), t
