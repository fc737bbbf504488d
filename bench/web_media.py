"""Web exports of a bank with shared images: size and time, qbank vs. text2qti.

A 2,000-question bank whose stems show 400 exhibit photos (each used five times, like a
certification bank's exhibits) is exported as the user would: a fresh ``python -m qbank``
process per run for ``export json`` and ``export html``; and ``text2qti`` (a QTI package
with the same questions and images, from the equivalent text2qti quiz file) in the same
loop. Runs are interleaved; times are medians (wall clock, and the CPU time of the
process, which a busy machine disturbs less). ``--before REF`` also runs the qbank sources
of a git commit (e.g. the one before the image sharing) for the before/after.

Each qbank version runs from a copy of its ``src/`` compiled to bytecode first, as an
installed package is (pip compiles it; text2qti runs from site-packages with its bytecode),
so neither side pays for compiling its modules in every run.

    PYTHONPATH=src python bench/web_media.py [--quick] [--before REF] [--repeat N]
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "tests/fixtures/images/flower.jpg"


def make_images(folder: Path, n: int) -> list[str]:
    """``n`` distinct JPEG exhibits (crops of a real photo), about 25-35 KB each."""
    from PIL import Image, ImageOps

    folder.mkdir(parents=True, exist_ok=True)
    names = []
    with Image.open(PHOTO) as photo:
        base = photo.convert("RGB")
        for i in range(n):
            x, y = (i * 37) % 240, (i * 53) % 127
            im = base.crop((x, y, x + 400, y + 300))
            if i % 2:
                im = ImageOps.mirror(im)
            im = im.rotate((i % 7) * 2, fillcolor=(255, 255, 255))
            name = f"exhibit-{i:03d}.jpg"
            im.save(folder / name, "JPEG", quality=80)
            names.append(name)
    return names


def write_banks(root: Path, n_questions: int, n_images: int) -> tuple[Path, Path]:
    """The qbank bank and the text2qti quiz file of the same questions and images."""
    bank = root / "bank"
    images = make_images(bank / "media", n_images)
    (bank / "qbank.yaml").write_text("id: exhibits\ntitle: Exhibits\n", encoding="utf-8")
    yaml_lines = ["questions:"]
    qti_lines = ["Quiz title: Exhibits", "Quiz description: Synthetic exhibits bank", ""]
    for i in range(n_questions):
        img = images[i % n_images]
        stem = f"Question {i}: which service does the exhibit {img} show?"
        options = [f"Service {i}-{k}" for k in range(4)]
        yaml_lines += [
            f"- id: q{i:04d}",
            "  type: single",
            "  text: |-",
            f"    {stem}",
            "",
            f"    ![Exhibit {i % n_images}](media/{img})",
            "  options:",
            f"    - text: {options[0]}",
            "      correct: true",
            *[f"    - {o}" for o in options[1:]],
            f"  explanation: The exhibit shows {options[0]}.",
        ]
        number = f"{i + 1}.  "  # wrapped paragraphs align with the text after it
        qti_lines += [
            f"{number}{stem}",
            "",
            " " * len(number) + f"![Exhibit {i % n_images}](media/{img})",
            f"*a) {options[0]}",
            *[f"{'bcd'[k]}) {o}" for k, o in enumerate(options[1:])],
            "",
        ]
    (bank / "questions.yaml").write_text("\n".join(yaml_lines) + "\n", encoding="utf-8")
    quiz = bank / "quiz.md"  # beside the media folder: text2qti resolves images from there
    quiz.write_text("\n".join(qti_lines) + "\n", encoding="utf-8")
    return bank, quiz


def sources_of(ref: str, dest: Path) -> Path:
    """The ``src/`` and ``exporters/`` of git commit ``ref``, unpacked under ``dest``."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src", "exporters"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def compiled(src: Path, dest: Path) -> Path:
    """A copy of ``src`` (and the ``exporters/`` assets beside it) with its bytecode, like
    an installed package."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    if (src.parent / "exporters").is_dir():
        shutil.copytree(src.parent / "exporters", dest.parent / "exporters")
    compileall.compile_dir(dest, quiet=1)
    return dest


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``cmd``."""
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed, _cpu() - cpu


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--questions", type=int, default=2000)
    ap.add_argument("--images", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", help="git commit whose qbank to run as 'before'")
    args = ap.parse_args()
    if args.quick:
        args.questions, args.images, args.repeat = 200, 40, 1
    text2qti = shutil.which("text2qti") or str(Path(sys.executable).parent / "text2qti")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bank, quiz = write_banks(work, args.questions, args.images)
        media_bytes = sum(p.stat().st_size for p in (bank / "media").iterdir())
        versions = {"after": str(compiled(ROOT / "src", work / "after" / "src"))}
        if args.before:
            before = compiled(sources_of(args.before, work / "before"), work / "before-c" / "src")
            versions = {"before": str(before), **versions}
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())  # 1, 5, 15 minutes
        runs: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}
        for _ in range(args.repeat):
            for version, src in versions.items():
                env = {**os.environ, "PYTHONPATH": src}
                for target in ("json", "html"):
                    out = work / f"{version}.{target}"
                    cmd = [sys.executable, "-m", "qbank", "export", target, str(bank)]
                    cmd += ["-o", str(out), "--no-shuffle"]
                    wall, cpu = timed(cmd, env, work)
                    runs.setdefault(f"{version} {target}", []).append(wall)
                    cpus.setdefault(f"{version} {target}", []).append(cpu)
                    sizes[f"{version} {target}"] = out.stat().st_size
            if Path(text2qti).exists():
                for old in bank.glob("quiz.zip"):
                    old.unlink()
                wall, cpu = timed([text2qti, str(quiz)], dict(os.environ), bank)
                runs.setdefault("text2qti qti", []).append(wall)
                cpus.setdefault("text2qti qti", []).append(cpu)
                sizes["text2qti qti"] = (bank / "quiz.zip").stat().st_size
        result: dict[str, object] = {
            "questions": args.questions,
            "images": args.images,
            "image_bytes": media_bytes,
        }
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{args.questions} questions, {args.images} images ({media_bytes / 1e6:.1f} MB), "
            f"median of {args.repeat}; load average at the start {load_before}, at the end {load}"
        )
        result["load_average"] = {"start": load_before, "end": load}
        for name, times in runs.items():
            med, cpu = statistics.median(times), statistics.median(cpus[name])
            result[name] = {"seconds": round(med, 2), "cpu": round(cpu, 2), "bytes": sizes[name]}
            print(f"  {name:<14} {med:6.2f} s  (CPU {cpu:5.2f} s)  {sizes[name] / 1e6:8.1f} MB")
        if "text2qti qti" in runs and "after json" in runs:
            ratio = statistics.median(runs["text2qti qti"]) / statistics.median(runs["after json"])
            cpu_ratio = statistics.median(cpus["text2qti qti"]) / statistics.median(
                cpus["after json"]
            )
            result["text2qti_over_qbank_json"] = round(ratio, 2)
            result["text2qti_over_qbank_json_cpu"] = round(cpu_ratio, 2)
            print(f"  text2qti / qbank json time: {ratio:.2f}x (CPU {cpu_ratio:.2f}x)")
        print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
