"""``python -m glassnet.cli``: the command line, as the ``glassnet`` script runs it."""

import sys

from . import main

sys.exit(main())
