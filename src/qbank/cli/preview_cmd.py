"""``qbank preview``: play a selection in the browser; the page reloads on every save."""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path
from typing import Any

import click

from qbank.cli import main
from qbank.cli.common import (
    CommandError,
    bank_argument,
    build_selection,
    guarded,
    load,
    selection_failed,
    selection_options,
)


@main.command()
@bank_argument
@selection_options
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--feedback",
    type=click.Choice(["immediate", "end"]),
    default="immediate",
    show_default=True,
    help="Show right/wrong after each question, or at the end.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
@guarded
def preview(bank: Path, port: int, feedback: str, open_browser: bool, **kwargs: Any) -> None:
    """Serve BANK's HTML player on 127.0.0.1 and reload it when a file under BANK changes.

    Shows one question (--ids ID), a quiz (--quiz NAME) or any selection; without one, the
    whole bank in file order. Drafts (`status: draft`) are shown too: the preview is where
    an author reads what they are writing. The problems `qbank validate` finds in the shown
    questions are listed above them. Stop with Ctrl-C.
    """
    from qbank.draw import SelectionError, draw
    from qbank.export.web.preview import PreviewServer, PreviewState

    selection = dataclasses.replace(build_selection(kwargs), include_drafts=True)
    loaded = load(bank)
    try:  # a selection that names an unknown quiz, topic or id is a usage error up front
        draw(loaded, selection)
    except SelectionError as exc:
        failed = selection_failed(exc)
        if isinstance(failed, CommandError):
            raise failed from None
    state = PreviewState(root=bank, selection=selection, feedback=feedback)
    try:
        server = PreviewServer(state, port)
    except OSError as exc:
        raise CommandError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None

    def changed(names: list[str]) -> None:
        click.echo(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a service manager's stop is a Ctrl-C too
    server.start_watching(changed)
    click.echo(f"Serving {bank} on {server.url} (Ctrl-C stops)")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.close()
