"""Pure functions over a document's normalized text: the entities it cites, counts and names, and its own record.

Each entity is a component (component.py is the contract): references, quantities
(figures.py), agencies, metadata (with record.py); the rest are the pieces they are
built from (codes, dates, numbers, roles, relations, resolution). Nothing here
knows about files, formats or Parquet.
"""
