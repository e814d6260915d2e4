"""`newsarchive serve [--watch]`: preview the site locally, rebuilding and reloading on change."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import webbrowser
from types import FrameType

from generator.commands import add_site_option
from generator.preview.serve import Preview, is_local


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `serve` subcommand."""
    parser = subparsers.add_parser(
        "serve", help="preview the site on a local web server (with --watch: live reload)",
        description="Build into a temporary folder (never output/) with base_url pointed at "
                    "the local server, and serve it. With --watch, rebuild on every change "
                    "to content, themes, glossary or site.yml and reload open pages.")
    parser.add_argument("--watch", action="store_true",
                        help="rebuild on change and reload open pages")
    parser.add_argument("--port", type=int, default=8000,
                        help="port (default %(default)s; 0 picks a free one); the preview keeps "
                             "base_url's path, e.g. http://127.0.0.1:8000/archive/")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--open", action="store_true", help="open the site in a browser")
    parser.add_argument("--no-search", action="store_true",
                        help="no search box nor index in the preview (by default the "
                             "index is brought up to date in the background after each "
                             "rebuild: pages reload at once, search follows)")
    add_site_option(parser)
    parser.set_defaults(func=run)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGINT and SIGTERM end the preview through KeyboardInterrupt (clean-up runs)."""
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; exit 1 when the first build fails without --watch."""
    if not is_local(args.host):
        print(f"warning: listening on {args.host}: other machines on the network can read "
              "this preview", file=sys.stderr)
    # Ctrl-C must stop the preview even when started from a script that ignores SIGINT
    # (background jobs of a non-interactive shell inherit SIGINT ignored).
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    preview = Preview(args.site, host=args.host, port=args.port, search=not args.no_search)
    try:
        first = preview.start()
        if not first.ok and not args.watch:
            return 1  # the errors are printed already
        print(f"serving {preview.url}" + (" (watching for changes)" if args.watch else "")
              + "; press Ctrl-C to stop", flush=True)
        if args.open:
            webbrowser.open(preview.url)
        _wait(preview, watch=args.watch)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        preview.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _wait(preview: Preview, *, watch: bool) -> None:
    """Block the main thread (Ctrl-C interrupts it) while serving, watching if asked."""
    stop = threading.Event()
    if watch:
        preview.watch(stop)
        return
    while not stop.wait(0.5):
        pass
