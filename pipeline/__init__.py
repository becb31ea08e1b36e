"""baocao's pipeline: report files in, a Parquet dataset out (the stages: README, "Architecture").

The version marks what the extraction produces: an incremental run reads again
every document that an older version extracted.
"""

__version__ = "0.2.0"
