"""Pure functions over normalized text: references, dates, numbers, quantities, agencies, metadata.

Nothing here knows about files, formats or Parquet.
"""
