"""``glassnet playground``: a page in the browser that trains a network on the real glassnet engine and shows it
learn (the ``glassnet[web]`` extra). A thin layer over ``glassnet.web``."""

from __future__ import annotations

import argparse

from .options import add_table_options


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port number from 0 (any free one) to 65535; got {text!r}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("playground", help="watch a network learn in the browser (needs glassnet[web])",
                       description="Start a local web page that trains a network on a bundled dataset or your own "
                                   "CSV file with the real glassnet engine: run, pause, step and reset, and watch "
                                   "the loss, the decision boundary and every weight change. Prints its address on "
                                   "the first line; Ctrl-C stops it.")
    p.add_argument("data", metavar="DATA", nargs="?", default="moons",
                   help="a CSV file with a header row, or a bundled dataset name (default: moons)")
    p.add_argument("--target", metavar="COL", help="the column to predict (default: the dataset's own "
                   "target, or a CSV file's last column)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this "
                   "machine only)")
    p.add_argument("--port", type=port, default=8765, help="default: 8765; 0 picks a free one")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    add_table_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import os

    # The playground's arrays are small and it has two threads of its own (training, drawing): BLAS threads on top
    # only wait for each other (on a busy 2-core machine a frame took 4 times as long). Set before NumPy loads.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    from ..errors import InputError

    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise InputError('the playground needs starlette and uvicorn, which are not installed: '
                         'pip install "glassnet[web]"') from None
    from ..tabular import datasets
    from ..tabular.workflow import columns_named
    from ..web.server import serve
    from ..web.session import UPLOAD, Session, Settings

    settings, upload = Settings(target=args.target or ""), None
    if args.data in datasets.DATASETS and not os.path.exists(args.data):
        settings.dataset = args.data
    else:
        upload = datasets.resolve(args.data, args.sep, args.decimal, columns_named(args.na_values, "--na-values"))
        settings.dataset = UPLOAD
    return serve(Session(settings, upload), args.host, args.port, not args.no_browser)
