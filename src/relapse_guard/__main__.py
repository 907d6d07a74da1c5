"""``python -m relapse_guard``: the command line."""

import sys

from .cli import main

sys.exit(main())
