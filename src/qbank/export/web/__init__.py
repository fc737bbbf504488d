"""Web exports of a draw, one module per format, all built from one quiz document.

* :mod:`~qbank.export.web.quiz_json` — the qbank quiz JSON (versioned schema, answers and
  feedback included, media as files or ``data:`` URIs); the others are built from it;
* :mod:`~qbank.export.web.surveyjs` — a SurveyJS survey definition;
* :mod:`~qbank.export.web.html` — a single self-contained HTML page that grades itself;
* :mod:`~qbank.export.web.preview` — that page served on 127.0.0.1 and reloaded when the
  bank changes (``qbank preview``).
"""
