"""Populations on disk: reading households and facts at scale, and generating synthetic ones.

A **population** is households with their facts in files, grouped by household:

- a pair of files (one partition) of your own: :meth:`Population.from_files`, or
  :func:`read_partition` for the records directly;
- a **directory** of partitions with a ``manifest.json`` (:func:`read_population`), as
  :func:`write_population` and :func:`generate_population` write it. Each partition is a
  ``households-00000.<suffix>`` and a ``facts-00000.<suffix>``; hand each worker process its
  :class:`Partition` (small, picklable) and let it read its own files.

Files are JSON Lines (``.jsonl``), CSV (``.csv``) or Parquet (``.parquet``, with the
``parquet`` extra); the schema is in ``docs/population.md``. Reading streams one household at a
time; a row that cannot be read becomes a :class:`BadRow` (file, line, field, message) in
the household's :class:`PopulationRecord` and reading goes on.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     population = generate_population(folder, households=200, seed=1, processes=1)
...     records = list(population.iter_records())
>>> len(records), all(r.household is not None and not r.bad_rows for r in records)
(200, True)
"""

from ._build import FactBuilder
from ._distributions import GENERATOR_VERSION, Distributions
from ._errors import MissingDependency, PopulationError
from ._generator import BLOCK_SIZE, generate_population, synthetic_households
from ._layout import COMMON_FACT_COLUMNS, HOUSEHOLD_COLUMNS, fact_columns
from ._manifest import FORMAT_VERSION, MANIFEST_NAME
from ._merge import DEFAULT_LOOKAHEAD
from ._reader import Partition, Population, file_format, read_partition, read_population
from ._records import BadRow, PopulationRecord, chunks
from ._writer import DEFAULT_HOUSEHOLDS_PER_PARTITION, write_partition, write_population

__all__ = [
    "BLOCK_SIZE",
    "COMMON_FACT_COLUMNS",
    "DEFAULT_HOUSEHOLDS_PER_PARTITION",
    "DEFAULT_LOOKAHEAD",
    "FORMAT_VERSION",
    "GENERATOR_VERSION",
    "HOUSEHOLD_COLUMNS",
    "MANIFEST_NAME",
    "BadRow",
    "Distributions",
    "FactBuilder",
    "MissingDependency",
    "Partition",
    "Population",
    "PopulationError",
    "PopulationRecord",
    "chunks",
    "fact_columns",
    "file_format",
    "generate_population",
    "read_partition",
    "read_population",
    "synthetic_households",
    "write_partition",
    "write_population",
]
