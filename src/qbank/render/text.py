"""Maths as readable text: LaTeX source turned into Unicode, not typeset.

For plain-text places (SurveyJS titles and choices) and for paper: worksheets print maths as native Word equations (:func:`qbank.render.maths.to_omml`); this
is the fallback for formulas that cannot be converted faithfully: ``\\sigma^2`` is printed
as ``σ²``, and a command not understood loses its backslash (no LaTeX on paper, nothing the
author typed is lost).
"""

from __future__ import annotations

import re

_GREEK = zip(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "omicron",
        "pi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "chi",
        "psi",
        "omega",
    ],
    "αβγδεζηθικλμνξοπρστυφχψω",
    strict=True,
)
_SYMBOLS: dict[str, str] = {
    **dict(_GREEK),
    **{
        "Gamma": "Γ",
        "Delta": "Δ",
        "Theta": "Θ",
        "Lambda": "Λ",
        "Xi": "Ξ",
        "Pi": "Π",
        "Sigma": "Σ",
        "Phi": "Φ",
        "Psi": "Ψ",
        "Omega": "Ω",
        "varepsilon": "ε",
        "varphi": "φ",
        "times": "×",
        "cdot": "·",
        "div": "÷",
        "pm": "±",
        "mp": "∓",
        "le": "≤",
        "leq": "≤",
        "ge": "≥",
        "geq": "≥",
        "neq": "≠",
        "ne": "≠",
        "approx": "≈",
        "sim": "∼",
        "equiv": "≡",
        "propto": "∝",
        "infty": "∞",
        "sum": "Σ",
        "prod": "Π",
        "int": "∫",
        "partial": "∂",
        "nabla": "∇",
        "to": "→",
        "rightarrow": "→",
        "leftarrow": "←",
        "Rightarrow": "⇒",
        "in": "∈",
        "notin": "∉",
        "subset": "⊂",
        "cup": "∪",
        "cap": "∩",
        "forall": "∀",
        "exists": "∃",
        "ldots": "…",
        "cdots": "⋯",
        "dots": "…",
        "log": "log",
        "ln": "ln",
        "exp": "exp",
        "sin": "sin",
        "cos": "cos",
        "tan": "tan",
        "max": "max",
        "min": "min",
        "lim": "lim",
        "%": "%",
        "{": "{",
        "}": "}",
        "_": "_",
        "&": "&",
        "$": "$",
        "#": "#",
    },
}
_SPACES = {",": "\u2009", ";": " ", ":": " ", "!": "", "quad": "  ", "qquad": "    ", " ": " "}
_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_DOUBLE_STRUCK = dict(zip("NZQRCP", "ℕℤℚℝℂℙ", strict=True))
_GROUP = r"\{([^{}]*)\}"


def math_text(source: str) -> str:
    """Maths (``\\( … \\)`` or ``\\[ … \\]`` with its delimiters) as readable plain text.

    Not typesetting: fractions become ``(a)/(b)``, roots ``√x``, scripts Unicode super- and
    subscripts where they exist (else ``^(…)``), common commands their symbols, matrices and
    aligned rows as ``(a b; c d)``. An unknown command prints its name without the
    backslash: no LaTeX command ever reaches paper, and nothing the author typed is lost.
    """
    s = source
    if s[:2] in ("\\(", "\\[") and s[-2:] in ("\\)", "\\]"):
        s = s[2:-2]
    s = s.strip()
    # environments (matrices, cases, aligned): rows separated by "; ", cells by spaces
    fences = {"pmatrix": "()", "bmatrix": "[]", "vmatrix": "||", "Vmatrix": "‖‖", "cases": "{ "}
    s = re.sub(
        r"\\begin\{(\w+\*?)\}(?:\{[^{}]*\})?(.*?)\\end\{\1\}",
        lambda m: _environment(m.group(1), m.group(2), fences),
        s,
        flags=re.DOTALL,
    )
    s = re.sub(r"\\([dt]?frac|binom)\s*(\w)\s*(\w)", r"\\\1{\2}{\3}", s)  # \tfrac13
    s = re.sub(r"\\mathbb\s*\{\s*([A-Z])\s*\}", lambda m: _DOUBLE_STRUCK.get(m[1], m[1]), s)
    for cmd in ("text", "mathrm", "mathbf", "mathit", "operatorname", "textrm", "mbox", "mathbb"):
        s = re.sub(r"\\" + cmd + r"\s*" + _GROUP, r"\1", s)
    s = re.sub(r"\\(left|right|big|Big|bigg|Bigg)(?![A-Za-z])", "", s)
    for _ in range(4):  # nested fractions and roots, innermost first
        s = re.sub(r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP, _frac, s)
        s = re.sub(r"\\sqrt\s*" + _GROUP, _sqrt, s)

    def command(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _SPACES:
            return _SPACES[name]
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        return m.group(0)

    # an unknown command keeps its argument's braces: `\foo{x}`, not `\foox`
    s = re.sub(r"\\([A-Za-z]+)\s*" + _GROUP, _keep_unknown, s)
    s = re.sub(r"\\([A-Za-z]+|.)", command, s)
    s = re.sub(r"\^" + _GROUP + r"|\^(\w)", lambda m: _script(m, _SUP, "^"), s)
    s = re.sub(r"_" + _GROUP + r"|_(\w)", lambda m: _script(m, _SUB, "_"), s)
    # never a LaTeX command on paper: an unknown command keeps its name only
    s = re.sub(r"\\([A-Za-z]+)", r"\1", s)
    s = re.sub(r"(?<!\\)[{}]", "", s).replace("\x01", "{").replace("\x02", "}")
    return re.sub(r"[ \t\n]+", " ", s).strip()


def _environment(name: str, body: str, fences: dict[str, str]) -> str:
    rows = [r.strip() for r in re.split(r"\\\\", body) if r.strip()]
    text = "; ".join(re.sub(r"\s*&\s*", " ", r) for r in rows)
    pair = fences.get(name.rstrip("*"), "  ")
    left, right = pair[0], pair[1]
    return f"{left}{text}{right}".strip()


def _keep_unknown(m: re.Match[str]) -> str:
    if m.group(1) in _SYMBOLS or m.group(1) in _SPACES:
        return m.group(0)
    return f"\\{m.group(1)}\x01{m.group(2)}\x02"


def _frac(m: re.Match[str]) -> str:
    a, b = m.group(1).strip(), m.group(2).strip()
    wrap = [x if re.fullmatch(r"[\w.]+", x) else f"({x})" for x in (a, b)]
    return f"{wrap[0]}/{wrap[1]}"


def _sqrt(m: re.Match[str]) -> str:
    x = m.group(1).strip()
    return "√" + (x if re.fullmatch(r"[\w.]+", x) else f"({x})")


def _script(m: re.Match[str], table: dict[int, int], mark: str) -> str:
    body = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    mapped = body.translate(table)
    if all(ord(c) in table.values() or c == " " for c in mapped) and mapped:
        return mapped
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"
