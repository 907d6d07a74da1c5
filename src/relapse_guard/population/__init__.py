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

The modules, by what they do:

- :mod:`.directory`: populations on disk, read and written (:class:`Population`,
  :class:`Partition`, :func:`read_partition`, :func:`write_population`...);
- one module per file format, its reader and its writer side by side: :mod:`.jsonl`,
  :mod:`.csv`, :mod:`.parquet` (whose column-wise reading is in :mod:`.parquet_columns`,
  :mod:`.parquet_facts` and :mod:`.parquet_households`);
- the reading pipeline they share: :mod:`.grouping` (rows grouped by household, households
  merged with their facts), :mod:`.rows` (facts as rows, written and read back the library's
  one way, :meth:`~relapse_guard.facts.FactKinds.parse`), :mod:`.households` (households
  from rows) and :mod:`.records` (records, bad rows and their messages, errors);
- :mod:`.layout`: a directory's file names, formats, manifest, and the files' columns;
- synthetic populations: :mod:`.synthetic` (:func:`generate_population`),
  :mod:`.synthetic_draws` (:class:`Distributions` and the draws), :mod:`.synthetic_drawer`;
- a month of new facts for a population: :mod:`.monthly` (:func:`next_month`,
  :func:`month_facts`), :mod:`.monthly_draws` (:class:`MonthlyShares` and the draws);
- files of facts alone: :mod:`.fact_files` (:func:`write_facts`, :func:`fact_records`);
- :mod:`.cli`: ``python -m relapse_guard.population``.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     population = generate_population(folder, households=200, seed=1, processes=1)
...     records = list(population.iter_records())
>>> len(records), all(r.household is not None and not r.bad_rows for r in records)
(200, True)
"""

from .directory import (
    DEFAULT_HOUSEHOLDS_PER_PARTITION,
    Partition,
    Population,
    as_population,
    read_partition,
    read_population,
    write_partition,
    write_population,
)
from .fact_files import FactRecords, fact_records, write_facts
from .grouping import DEFAULT_LOOKAHEAD
from .layout import COMMON_FACT_COLUMNS, FORMAT_VERSION, HOUSEHOLD_COLUMNS, MANIFEST_NAME, fact_columns, file_format
from .monthly import MonthFile, month_facts, next_month, parse_month
from .monthly_draws import MONTH_GENERATOR_VERSION, MonthlyShares
from .records import BadRow, MissingDependency, PopulationError, PopulationRecord, chunks
from .rows import FactBuilder
from .synthetic import BLOCK_SIZE, generate_population, synthetic_households
from .synthetic_draws import GENERATOR_VERSION, Distributions

__all__ = [
    "BLOCK_SIZE",
    "COMMON_FACT_COLUMNS",
    "DEFAULT_HOUSEHOLDS_PER_PARTITION",
    "DEFAULT_LOOKAHEAD",
    "FORMAT_VERSION",
    "GENERATOR_VERSION",
    "HOUSEHOLD_COLUMNS",
    "MANIFEST_NAME",
    "MONTH_GENERATOR_VERSION",
    "BadRow",
    "Distributions",
    "FactBuilder",
    "FactRecords",
    "MissingDependency",
    "MonthFile",
    "MonthlyShares",
    "Partition",
    "Population",
    "PopulationError",
    "PopulationRecord",
    "as_population",
    "chunks",
    "fact_columns",
    "fact_records",
    "file_format",
    "generate_population",
    "month_facts",
    "next_month",
    "parse_month",
    "read_partition",
    "read_population",
    "synthetic_households",
    "write_facts",
    "write_partition",
    "write_population",
]
