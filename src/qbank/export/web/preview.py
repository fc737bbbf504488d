"""``qbank preview``: the HTML player served on 127.0.0.1, reloaded when the bank changes.

Each request for the page loads and validates the bank again, draws the selection and
builds the same page as ``qbank export html``, with two additions: a panel above the quiz
listing the problems of the shown questions (and any file the loader could not read), and
a small script that listens on ``/events`` (server-sent events) and reloads the page when
a file under the bank changes. A watcher thread (watchfiles) bumps a version number on every
change; each open page holds the version it was built from and reloads when it differs.

The page keeps the export's Content-Security-Policy, widened only by what the preview
needs: the hashes of its own script and style, and ``connect-src 'self'`` for the events.
The server binds to 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["PreviewServer", "PreviewState", "render_page"]

_KEEPALIVE_SECONDS = 10.0

_STYLE = """
#qb-preview { font: 14px/1.4 system-ui, sans-serif; margin: 1em auto; max-width: 48em;
  padding: .5em 1em; border: 2px solid #b00020; border-radius: 6px; background: #fff4f4; }
#qb-preview.qb-ok { border-color: #1b7f3b; background: #f2fbf4; }
#qb-preview h2 { font-size: 1em; margin: .2em 0 .4em; }
#qb-preview ul { margin: 0; padding-left: 1.2em; }
#qb-preview code { font-size: .95em; }
#qb-preview .qb-error { color: #b00020; }
#qb-preview .qb-warning { color: #8a5a00; }
"""

_SCRIPT = """
(function () {
  var built = document.documentElement.getAttribute("data-qb-version");
  var es = new EventSource("/events");
  es.onmessage = function (e) { if (e.data !== built) { es.close(); location.reload(); } };
})();
"""


def _sha256(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


@dataclass
class PreviewState:
    """The bank being previewed, the selection, and the change counter the pages follow."""

    root: Path
    selection: Any
    feedback: str = "immediate"
    version: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def bump(self) -> None:
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def wake(self) -> None:
        """Wake every waiting event stream without a change (the server is stopping)."""
        with self._cond:
            self._cond.notify_all()

    def wait_change(self, seen: int, timeout: float) -> int:
        """Block until a change, a wake-up or ``timeout``; the version then."""
        with self._cond:
            if self.version == seen:
                self._cond.wait(timeout=timeout)
            return self.version


def _problem_panel(problems: list[Any], note: str | None, shown: int) -> str:
    if not problems and not note:
        return (
            '<div id="qb-preview" class="qb-ok" role="status">'
            f"qbank preview: {shown} question{'s' if shown != 1 else ''}, no problems.</div>"
        )
    items = []
    for p in problems:
        loc = p.location
        hint = f" — {html.escape(p.hint)}" if p.hint else ""
        qid = f" <code>{html.escape(p.question_id)}</code>:" if p.question_id else ""
        items.append(
            f'<li class="qb-{p.severity}"><code>{html.escape(loc.file)}:{loc.line}:{loc.col}</code> '
            f"{html.escape(p.rule)} [{p.severity}]{qid} {html.escape(p.message)}{hint}</li>"
        )
    head = f"<p>{html.escape(note)}</p>" if note else ""
    count = (
        f"<h2>{len(problems)} problem{'s' if len(problems) != 1 else ''} "
        "in the shown questions</h2>"
        if problems
        else ""
    )
    return f'<div id="qb-preview" role="alert">{head}{count}<ul>{"".join(items)}</ul></div>'


def _page_problems(report_problems: list[Any], shown_ids: set[str], files: set[str]) -> list[Any]:
    """Findings of the shown questions, of their files and quiz, and file-level errors."""
    out = []
    for p in report_problems:
        if p.question_id is not None:
            if p.question_id in shown_ids:
                out.append(p)
        elif p.location.file in files or p.severity == "error":
            out.append(p)
    return sorted(out, key=lambda p: (p.severity != "error", p.sort_key))


def _inject(page: str, panel: str, version: int) -> str:
    """Add the panel, the reload script and their hashes to an exported player page."""
    script = f"<script>{_SCRIPT}</script>"
    style = f"<style>{_STYLE}</style>"

    def widen(m: re.Match[str]) -> str:
        policy = m.group(1)
        policy = policy.replace("script-src ", f"script-src {_sha256(_SCRIPT)} ", 1)
        policy = policy.replace("style-src ", f"style-src {_sha256(_STYLE)} ", 1)
        policy = policy.replace("connect-src &#x27;none&#x27;", "connect-src &#x27;self&#x27;")
        policy = policy.replace("connect-src 'none'", "connect-src 'self'")
        return f'content="{policy}"'

    page = re.sub(r'content="(default-src[^"]*)"', widen, page, count=1)
    page = re.sub(r"<html\b", f'<html data-qb-version="{version}"', page, count=1)
    page = page.replace("</head>", f"{style}{script}</head>", 1)
    return re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + panel, page, count=1)


def _bare_page(title: str, panel: str, version: int) -> str:
    """A page for when nothing can be drawn: the problems and the reload script only."""
    policy = (
        f"default-src 'none'; script-src {_sha256(_SCRIPT)}; style-src {_sha256(_STYLE)}; "
        "connect-src 'self'"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en" data-qb-version="{version}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f"<script>{_SCRIPT}</script></head><body>{panel}</body></html>\n"
    )


def render_page(state: PreviewState) -> str:
    """Load, validate and draw the bank as it is now; the page to serve."""
    from qbank.draw import SelectionError, draw
    from qbank.export.web import html as html_export
    from qbank.load import load_bank
    from qbank.validate.engine import Options, validate

    version = state.version
    bank = load_bank(state.root)
    report = validate(bank, Options(progress=False))
    bad = {p.question_id for p in report.problems if p.severity == "error" and p.question_id}
    try:
        import dataclasses

        view = dataclasses.replace(
            bank, questions=[q for q in bank.questions if q.id not in bad], _by_id=None
        )
        drawn = draw(view, state.selection)
    except SelectionError as exc:
        shown = {p for p in bad}
        problems = _page_problems(report.problems, shown, set())
        panel = _problem_panel(problems, f"Nothing to show: {exc.describe()}", 0)
        return _bare_page(f"qbank preview: {bank.title}", panel, version)
    questions = [d for form in drawn.forms for d in form.questions]
    shown_ids = {d.id for d in questions}
    if state.selection.filters.ids:  # a question asked for by id but left out for its errors
        shown_ids |= set(state.selection.filters.ids) & bad
    files = {d.question.file for d in questions}
    if drawn.quiz:
        files.add(drawn.quiz)
    problems = _page_problems(report.problems, shown_ids, files)
    panel = _problem_panel(problems, None, len(questions))
    page, _warnings = html_export.build(drawn, view, feedback=state.feedback)  # type: ignore[arg-type]
    return _inject(page, panel, version)


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the command prints its own lines

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/events":
            self._events()
        elif path in ("/", "/index.html"):
            try:
                body = render_page(self.server.state).encode("utf-8")
                status = 200
            except Exception as exc:  # the page says what broke; the server keeps running
                panel = _problem_panel(
                    [], f"qbank preview: internal error {type(exc).__name__}: {exc}", 0
                )
                body = _bare_page("qbank preview", panel, self.server.state.version).encode()
                status = 500
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def _events(self) -> None:
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = state.version
        try:
            self.wfile.write(f"data: {seen}\n\n".encode())
            self.wfile.flush()
            while not self.server.stopping.is_set():
                now = state.wait_change(seen, _KEEPALIVE_SECONDS)
                if now != seen:
                    seen = now
                    self.wfile.write(f"data: {now}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server plus the watcher thread; ``close()`` stops both."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: PreviewState, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = state
        self.stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="qbank-watch", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def start_watching(self, on_change: Callable[[list[str]], None] | None = None) -> None:
        self._on_change = on_change
        self._watcher.start()

    def _watch(self) -> None:
        from watchfiles import watch

        root = self.state.root
        for changes in watch(
            root, stop_event=self.stopping, debounce=100, step=50, rust_timeout=500
        ):
            names = sorted(
                {Path(p).resolve().relative_to(root.resolve()).as_posix() for _, p in changes}
            )
            self.state.bump()
            if getattr(self, "_on_change", None) is not None:
                self._on_change(names)  # type: ignore[misc]

    def close(self) -> None:
        self.stopping.set()
        self.state.wake()  # the event streams see `stopping`; open pages do not reload
        self.server_close()
