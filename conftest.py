"""pytest's configuration for the whole checkout: what is not collected without an optional extra.

The columnar screen's modules import numpy (the ``fast`` extra) at the top, so their doctests
are only collected when it is installed; everything else collects without any extra.
"""

from __future__ import annotations

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("numpy") else ["src/relapse_guard/screening/columnar/*.py"]
