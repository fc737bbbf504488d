"""QB1xx — fields and types. Reported by :mod:`qbank.load` from pydantic errors."""

from __future__ import annotations

from qbank.diagnostics import Rule, Severity, register

E = Severity.ERROR

register(
    Rule(
        "QB101",
        "unknown-field",
        E,
        "A field that this kind of question (or file) does not have; often a typo.",
        rationale="Unknown fields are errors, not ignored: `corect: true` would otherwise "
        "silently make an option wrong. The message suggests the nearest field name.",
        failing="id: q1\ntype: single\ntext: Pick one.\nexplanation: B is right.\noptions:\n"
        "  - A\n  - text: B\n    corect: true\n",
        passing="id: q1\ntype: single\ntext: Pick one.\nexplanation: B is right.\noptions:\n"
        "  - A\n  - text: B\n    correct: true\n",
    )
)
register(
    Rule(
        "QB102",
        "missing-field",
        E,
        "A required field is missing (every question needs `id`, `type` and `text`).",
        failing="id: q1\ntext: Security groups can deny traffic.\nanswer: false\n",
        passing="id: q1\ntype: truefalse\ntext: Security groups can deny traffic.\nanswer: false\n"
        "explanation: Security group rules only allow.\n",
    )
)
register(
    Rule(
        "QB103",
        "invalid-value",
        E,
        "A field has a value of the wrong kind (text where a list is needed, `yes` for a "
        "boolean, a word for a number …).",
        rationale="Booleans are only `true`/`false`: `yes`, `no`, `on` and `off` mean "
        "different things to different YAML tools.",
        failing="id: q1\ntype: truefalse\ntext: Security groups can deny traffic.\nanswer: no\n",
        passing="id: q1\ntype: truefalse\ntext: Security groups can deny traffic.\nanswer: false\n"
        "explanation: Security group rules only allow.\n",
    )
)
register(
    Rule(
        "QB104",
        "unknown-type",
        E,
        "The question `type` is not one of single, multi, truefalse, cloze, short, numeric, "
        "order, match, essay.",
        failing="id: q1\ntype: multiple\ntext: Pick.\noptions: [A, B]\n",
        passing="id: q1\ntype: multi\ntext: Pick the vowels.\nexplanation: A and E are vowels.\n"
        "options:\n  - text: A\n    correct: true\n  - B\n  - text: E\n    correct: true\n  - D\n",
    )
)
register(
    Rule(
        "QB105",
        "invalid-id",
        E,
        "A question id does not match `[a-z0-9][a-z0-9._-]*`.",
        rationale="Ids become Anki GUIDs, JSON ids and file names: they must be stable, "
        "lower-case and free of spaces.",
        failing="id: NAT Gateway\ntype: truefalse\ntext: A NAT gateway allows inbound connections.\n"
        "answer: false\n",
        passing="id: nat-gateway\ntype: truefalse\ntext: A NAT gateway allows inbound connections.\n"
        "answer: false\nexplanation: Only connections initiated from inside are allowed.\n",
    )
)
