"""The JPEG header walk (``qbank.filetype.jpeg_header_opens``) never disagrees with Pillow.

QB501 asks Pillow whether a raster image opens (``Image.open`` + ``verify()``). For a JPEG,
the cheap walk answers first, and only for files whose header it can vouch for: whenever it
says ``True``, Pillow must open the file too; otherwise Pillow is asked as before. Checked
on real files (a camera photo, Pillow's own test JPEGs: EXIF, ICC, Photoshop, CMYK, 16-bit
tables, truncated scans), on JPEGs Pillow writes in every common shape, and on every
truncation of their headers and several corruptions of every header byte. Validate's view
of each file (``_inspect``) is compared with the Pillow-only check, and the two files that
used to crash validate are reported instead.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT
from qbank.filetype import PILLOW_MAX_PIXELS, jpeg_header_opens
from qbank.model import MAX_IMAGE_BYTES
from qbank.validate.rules import media

IMAGES = ROOT / "tests/fixtures/images"
REAL = sorted([IMAGES / "flower.jpg", *(IMAGES / "pillow").glob("*.jpg")])


def pillow_opens(data: bytes) -> bool:
    """What QB501 asked before the walk: Pillow opens and verifies the bytes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
    except Exception:
        return False
    return True


def written_by_pillow() -> dict[str, bytes]:
    """The photo re-encoded the ways editors and exporters write JPEGs."""
    out: dict[str, bytes] = {}
    with Image.open(IMAGES / "flower.jpg") as photo:
        rgb = photo.convert("RGB").resize((160, 107))
        icc = photo.info.get("icc_profile")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation, as a phone writes it
    shapes: dict[str, tuple[Image.Image, dict[str, object]]] = {
        "baseline": (rgb, {"quality": 80}),
        "progressive": (rgb, {"quality": 85, "progressive": True}),
        "optimized": (rgb, {"quality": 95, "optimize": True}),
        "low-quality": (rgb, {"quality": 5}),
        "no-subsampling": (rgb, {"quality": 90, "subsampling": 0}),
        "gray": (rgb.convert("L"), {"quality": 80}),
        "cmyk": (rgb.convert("CMYK"), {"quality": 80}),
        "icc": (rgb, {"quality": 80, "icc_profile": icc}),
        "exif": (rgb, {"quality": 80, "exif": exif.tobytes()}),
        "comment": (rgb, {"quality": 80, "comment": b"scanned 2024"}),
        "restart": (rgb, {"quality": 80, "restart_marker_blocks": 1}),
        "dpi": (rgb, {"quality": 80, "dpi": (300, 300)}),
    }
    for name, (im, options) in shapes.items():
        buf = io.BytesIO()
        im.save(buf, "JPEG", **options)
        out[name] = buf.getvalue()
    return out


SAMPLES = {p.name: p.read_bytes() for p in REAL} | written_by_pillow()


def header_end(data: bytes) -> int:
    """Where the start-of-scan segment ends (the header Pillow reads), or the file's end."""
    pos = 2
    while pos + 4 <= len(data):
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        pos += 2 + length
        if marker == 0xDA:
            return min(pos, len(data))
    return len(data)


def corruptions(data: bytes, seed: int) -> Iterator[bytes]:
    """Every truncation of the header (and one byte past it) and, at every header byte
    (at most 1,500 of them, chosen at random), five other values."""
    rng = random.Random(seed)
    end = header_end(data)
    for n in range(end + 2):
        yield data[:n]
    positions = range(end) if end <= 1500 else sorted(rng.sample(range(end), 1500))
    for i in positions:
        old = data[i]
        for new in {0x00, 0xFF, old ^ 0x80, (old + 1) & 0xFF, rng.randrange(256)} - {old}:
            yield data[:i] + bytes([new]) + data[i + 1 :]


def test_pillow_limit_is_pillows() -> None:
    assert PILLOW_MAX_PIXELS == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_walk_vouches_only_for_what_pillow_opens(name: str) -> None:
    data = SAMPLES[name]
    assert jpeg_header_opens(data) in (True, None)
    assert pillow_opens(data)  # every sample is a good file
    if jpeg_header_opens(data) is not True:
        return
    rejected = vouched = 0
    for i, variant in enumerate(corruptions(data, seed=len(data))):
        verdict = jpeg_header_opens(variant)
        assert verdict in (True, None)
        if verdict:
            vouched += 1
            assert pillow_opens(variant), f"{name}: variant {i} vouched for, Pillow refuses it"
        elif not pillow_opens(variant):
            rejected += 1
    assert vouched and rejected  # the sweep met both good and corrupt headers


def test_walk_covers_what_editors_and_pillow_write() -> None:
    """The fast path is taken for the common shapes (else the work buys nothing); EXIF,
    Photoshop blocks and MPO are left to Pillow by design."""
    vouched = {name for name, data in SAMPLES.items() if jpeg_header_opens(data)}
    common = {"baseline", "progressive", "optimized", "low-quality", "no-subsampling"}
    assert common | {"gray", "cmyk", "icc", "comment", "restart", "dpi", "hopper.jpg"} <= vouched
    assert "exif" not in vouched and "photoshop-200dpi.jpg" not in vouched


def test_not_jpeg_or_unusual_is_left_to_pillow() -> None:
    data = SAMPLES["baseline"]
    sof = data.index(b"\xff\xc0")
    assert jpeg_header_opens(b"\x89PNG\r\n\x1a\n") is None
    assert jpeg_header_opens(data[:2] + b"\xff\xff" + data[2:]) is None  # fill bytes
    assert jpeg_header_opens(data[: sof + 4] + b"\x0c" + data[sof + 5 :]) is None  # 12-bit
    big = data[: sof + 5] + b"\xff\xff\xff\xff" + data[sof + 9 :]  # 65535 x 65535 pixels
    assert jpeg_header_opens(big) is None


def inspect_all(folder: Path) -> dict[str, object]:
    return {p.name: media._inspect(p, MAX_IMAGE_BYTES) for p in sorted(folder.iterdir())}


def test_inspect_is_the_same_with_and_without_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What QB501/QB503/QB507 see of each file, with the walk and with Pillow alone."""
    folder = tmp_path / "media"
    folder.mkdir()
    rng = random.Random(501)
    for name, data in SAMPLES.items():
        stem = Path(name).stem
        (folder / f"{stem}.jpg").write_bytes(data)
        variants = list(corruptions(data, seed=1))
        for k, variant in enumerate(rng.sample(variants, min(40, len(variants)))):
            (folder / f"{stem}-{k}.jpg").write_bytes(variant)
    with warnings.catch_warnings():  # Pillow warns about the corrupt EXIF of some
        warnings.simplefilter("ignore")
        with_walk = inspect_all(folder)
        monkeypatch.setattr(media, "jpeg_header_opens", lambda data: None)
        pillow_only = inspect_all(folder)
    assert with_walk == pillow_only
    broken = [n for n, s in with_walk.items() if getattr(s, "broken", None)]
    assert broken  # corrupt files are among them, and reported the same way


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "syntax_num_frames_zero.png",
            "Invalid APNG, will use default PNG image if possible; list index out of range",
        ),
        ("decompression_bomb.gif", "could be decompression bomb"),
    ],
)
def test_files_that_crashed_validate_are_reported(
    make_bank: Callable[..., Path], name: str, reason: str
) -> None:
    from click.testing import CliRunner

    from qbank.cli import main

    data = (IMAGES / "pillow" / name).read_bytes()
    q = "id: q1\ntype: truefalse\ntext: |-\n  See.\n\n  ![x](media/{n})\nanswer: true\n"
    root = make_bank({"q.yaml": q.format(n=name)})
    (root / "media").mkdir()
    (root / "media" / name).write_bytes(data)
    result = CliRunner().invoke(main, ["validate", "-f", "concise", str(root)])
    assert result.exit_code == 1, result.output
    assert "QB501" in result.output and reason in result.output
    assert "internal error" not in result.output


def test_validate_of_pillow_written_jpegs_does_not_import_pillow(tmp_path: Path) -> None:
    """The bench's case (``bench/web_media.py``): the export's check never loads Pillow."""
    (tmp_path / "media").mkdir()
    (tmp_path / "qbank.yaml").write_text("id: b\ntitle: B\n", encoding="utf-8")
    lines = ["questions:"]
    for name in ("baseline", "progressive", "icc", "cmyk"):
        (tmp_path / "media" / f"{name}.jpg").write_bytes(SAMPLES[name])
        lines += [
            f"- id: {name}",
            "  type: truefalse",
            "  text: |-",
            "    See the exhibit.",
            "",
            f"    ![{name}](media/{name}.jpg)",
            "  answer: true",
            "  explanation: It is so.",
        ]
    (tmp_path / "questions.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = (
        "import sys\nfrom qbank.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
        "print('PIL' in sys.modules, code)\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "export",
            "json",
            str(tmp_path),
            "-o",
            str(tmp_path / "q.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.split() == ["False", "0"], out.stdout + out.stderr
