"""India (IN): TDS on salary under the new tax regime, EPF/EPS/EDLI, and labour-law minimums.

The folder is ``india`` because ``in`` is a Python keyword; the registry keys the pack by its country "IN".
"""

from compliance.packs.in_india.pack import IndiaPack

PACK_CLASS = IndiaPack

__all__ = ["PACK_CLASS", "IndiaPack"]
