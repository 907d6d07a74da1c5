"""``python -m relapse_guard.population``: generate or check a population directory."""

import sys

from .cli import main

sys.exit(main())
