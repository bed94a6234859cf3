"""One module per ``glassnet`` command, each with ``add_parser(subparsers)`` and ``run(args) -> int``.

Command modules import only the standard library at module level, so ``glassnet --help`` stays fast;
they import NumPy and the rest inside ``run``.
"""
