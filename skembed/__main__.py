"""``python -m skembed``: the same as the ``skembed`` command."""

import sys

from .cli import main

sys.exit(main())
