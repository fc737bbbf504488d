"""QB5xx media and markup rules, on real files in real banks."""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from qbank.diagnostics import Problem, Severity
from qbank.load import load_bank
from qbank.validate import validate


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, minimal RGB PNG (what `file` and every browser accept)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
GIF += b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n'


def jpeg_bytes(mode: str = "RGB", fmt: str = "JPEG") -> bytes:
    """A real (tiny) image file written by Pillow."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, (8, 6), (10, 200, 30, 0)[: len(mode)]).save(buf, fmt)
    return buf.getvalue()


def test_an_undecodable_image_is_reported(make_bank: Callable[..., Path]) -> None:
    files = {"q.yaml": question("![diagram](media/cut.jpg)")}
    (p,) = problems_of(make_bank, files, {"media/cut.jpg": JPEG_HEAD})  # a header, no image
    assert p.rule == "QB501" and "is a JPEG file that cannot be decoded" in p.message


def question(text_line: str, extra: str = "") -> str:
    return (
        "id: q\ntype: truefalse\ntext: |-\n  See the diagram.\n\n"
        f"  {text_line}\nanswer: true\nexplanation: Because.\n{extra}"
    )


def problems_of(
    make_bank: Callable[..., Path], files: dict[str, str], media: dict[str, bytes]
) -> list[Problem]:
    root = make_bank(files)
    for rel, data in media.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return [p for p in validate(load_bank(root)).problems if p.rule.startswith("QB5")]


def brief(problems: list[Problem]) -> list[tuple[str, int, int]]:
    return [(p.rule, p.location.line, p.location.col) for p in problems]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.png", png_bytes()),
        ("a.PNG", png_bytes()),
        ("a.gif", GIF),
        ("a.webp", WEBP),
        ("a.jpg", jpeg_bytes()),
        ("a.jpeg", jpeg_bytes("CMYK")),  # Pillow writes the Adobe APP14 header: FF D8 FF EE
        ("a.bmp", jpeg_bytes(fmt="BMP")),
        ("a.svg", SVG),
    ],
)
def test_supported_images_pass(make_bank: Callable[..., Path], name: str, data: bytes) -> None:
    files = {"q.yaml": question(f"![diagram](media/{name})")}
    assert problems_of(make_bank, files, {f"media/{name}": data}) == []


def test_sample_bank_image_is_checked_and_fine(sample_bank: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(sample_bank, tmp_path / "bank")
    report = validate(load_bank(copy))
    assert [p for p in report.problems if p.rule.startswith("QB5")] == []
    (copy / "media" / "nat-gateway.png").unlink()
    report = validate(load_bank(copy))
    (p,) = [p for p in report.problems if p.rule.startswith("QB5")]
    assert (p.rule, p.severity, p.question_id) == (
        "QB501",
        Severity.ERROR,
        "sagemaker-interface-endpoint",
    )
    line = next(
        i
        for i, ln in enumerate((copy / p.location.file).read_text().splitlines(), 1)
        if "media/nat-gateway.png" in ln
    )
    assert p.location.line == line


def test_missing_image_points_at_the_path_and_suggests_a_near_name(
    make_bank: Callable[..., Path],
) -> None:
    files = {"q.yaml": question("Look: ![diagram](media/diagam.png)")}
    (p,) = problems_of(make_bank, files, {"media/diagram.png": png_bytes()})
    assert brief([p]) == [("QB501", 6, 20)]
    assert (p.location.end_line, p.location.end_col) == (6, 36)
    assert "does not exist" in p.message
    assert "media/diagram.png" in (p.hint or "")


@pytest.mark.parametrize(
    ("setup", "message"),
    [("folder", "is a folder"), ("empty", "is an empty file")],
)
def test_unreadable_images(make_bank: Callable[..., Path], setup: str, message: str) -> None:
    files = {"q.yaml": question("![d](media/d.png)")}
    root = make_bank(files)
    if setup == "folder":
        (root / "media" / "d.png").mkdir(parents=True)
    else:
        (root / "media").mkdir()
        (root / "media" / "d.png").write_bytes(b"")
    (p,) = [p for p in validate(load_bank(root)).problems if p.rule.startswith("QB5")]
    assert p.rule == "QB501" and message in p.message


def test_unreadable_image_file(make_bank: Callable[..., Path]) -> None:
    """A path that exists but cannot be opened (a socket here: works even as root)."""
    import socket

    root = make_bank({"q.yaml": question("![d](media/d.png)")})
    (root / "media").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(root / "media" / "d.png"))
        (p,) = [p for p in validate(load_bank(root)).problems if p.rule.startswith("QB5")]
    finally:
        sock.close()
    assert p.rule == "QB501" and "cannot be read" in p.message


@pytest.mark.parametrize(
    ("src", "reason"),
    [
        ("../outside.png", "leads outside"),
        ("/etc/passwd", "absolute path"),
        ("https://example.com/a.png", "URL"),
        ("data:image/png;base64,iVBORw0KGgo=", "data URI"),
    ],
)
def test_images_outside_the_bank(make_bank: Callable[..., Path], src: str, reason: str) -> None:
    (p,) = problems_of(make_bank, {"q.yaml": question(f"![d]({src})")}, {})
    assert brief([p]) == [("QB502", 6, 8)]
    assert reason in p.message


def test_symlink_leading_out_of_the_bank(make_bank: Callable[..., Path], tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes())
    root = make_bank({"q.yaml": question("![d](media/link.png)")})
    (root / "media").mkdir()
    (root / "media" / "link.png").symlink_to(secret)
    (p,) = [p for p in validate(load_bank(root)).problems if p.rule.startswith("QB5")]
    assert p.rule == "QB502"


@pytest.mark.parametrize(
    ("name", "data", "rule", "message"),
    [
        (
            "d.heic",
            b"\x00\x00\x00\x18ftypheic",
            "QB507",
            "image `media/d.heic`: `.heic` is not a supported image type",
        ),
        (
            "d.bmp",
            png_bytes(),
            "QB503",
            "image `media/d.bmp` is named .bmp but its content is a PNG image; exports use PNG",
        ),
        (
            "d.tiff",
            b"II*\x00",
            "QB507",
            "image `media/d.tiff`: `.tiff` is not a supported image type",
        ),
        (
            "d.png",
            jpeg_bytes(),
            "QB503",
            "image `media/d.png` is named .png but its content is a JPEG image; exports use JPEG",
        ),
        (
            "d.png",
            b"<html>Not found</html>",
            "QB507",
            "image `media/d.png` is named .png but its content is not an image",
        ),
        (
            "d.svg",
            png_bytes(),
            "QB503",
            "image `media/d.svg` is named .svg but its content is a PNG image; exports use PNG",
        ),
        (
            "d.tiff",
            png_bytes(),
            "QB503",
            "image `media/d.tiff` is named .tiff but its content is a PNG image; exports use PNG",
        ),
    ],
)
def test_image_types(
    make_bank: Callable[..., Path], name: str, data: bytes, rule: str, message: str
) -> None:
    files = {"q.yaml": question(f"![d](media/{name})")}
    (p,) = problems_of(make_bank, files, {f"media/{name}": data})
    assert (p.rule, p.message) == (rule, message)
    assert p.severity == ("warning" if rule == "QB503" else "error")


def test_images_in_options_feedback_pairs_and_items(make_bank: Callable[..., Path]) -> None:
    files = {
        "q.yaml": """\
        questions:
          - id: s
            type: single
            text: Pick.
            explanation: Because.
            options:
              - text: "![a](media/none1.png)"
                correct: true
              - text: B
                feedback: "See ![b](media/none2.png)"
          - id: m
            type: match
            text: Match.
            explanation: Because.
            pairs:
              - ["![c](media/none3.png)", x]
              - [y, z]
          - id: o
            type: order
            text: Order.
            explanation: Because.
            items: [first, "![d](media/none4.png)"]
        """
    }
    problems = problems_of(make_bank, files, {})
    assert brief(problems) == [
        ("QB501", 7, 21),
        ("QB501", 10, 29),
        ("QB501", 16, 16),
        ("QB501", 22, 26),
    ]
    assert [p.question_id for p in problems] == ["s", "s", "m", "o"]


def test_shared_missing_image_is_reported_per_question(make_bank: Callable[..., Path]) -> None:
    text = question("![d](media/gone.png)")
    files = {"a.yaml": text, "b.yaml": text.replace("id: q", "id: q2")}
    problems = problems_of(make_bank, files, {})
    assert [(p.rule, p.location.file) for p in problems] == [
        ("QB501", "a.yaml"),
        ("QB501", "b.yaml"),
    ]


# -- maths and HTML -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (r"Compute \( x^2 + 1 and stop.", [("QB504", 6, 11)]),
        (r"Displayed: \[ x \] fine, inline \( y \) fine.", []),
        (r"Code is not maths: `\(`.", []),
        (r"A stray close \) here.", [("QB504", 6, 17)]),
    ],
)
def test_unbalanced_maths(
    make_bank: Callable[..., Path], line: str, expected: list[tuple[str, int, int]]
) -> None:
    assert brief(problems_of(make_bank, {"q.yaml": question(line)}, {})) == expected


def test_maths_in_explanation(make_bank: Callable[..., Path]) -> None:
    text = question("Plain.").replace("explanation: Because.", "explanation: 'z = \\( (x - m'")
    (p,) = problems_of(make_bank, {"q.yaml": text}, {})
    assert (p.rule, p.location.line, p.location.col) == ("QB504", 8, 19)
    assert p.severity is Severity.ERROR


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Line one<br>line two.", [("QB505", 6, 11)]),
        ("Use `List<int>` here.", []),
        ("Clearly a < b and b > c.", []),
        ("<script>alert(1)</script>", [("QB505", 6, 3)]),
    ],
)
def test_raw_html(
    make_bank: Callable[..., Path], line: str, expected: list[tuple[str, int, int]]
) -> None:
    problems = problems_of(make_bank, {"q.yaml": question(line)}, {})
    assert brief(problems) == expected
    assert all(p.severity is Severity.WARNING for p in problems)
