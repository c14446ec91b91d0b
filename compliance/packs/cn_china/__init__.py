"""China (CN) rule pack: IIT cumulative withholding, annual bonus, city social insurance and housing fund."""

from compliance.packs.cn_china.pack import ChinaPack

PACK_CLASS = ChinaPack

__all__ = ["PACK_CLASS", "ChinaPack"]
