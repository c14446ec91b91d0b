"""Japan (JP): 源泉徴収 by the 電算機計算の特例 (甲欄), social and employment insurance, labour minimums."""

from compliance.packs.jp_japan.pack import JapanPack

PACK_CLASS = JapanPack

__all__ = ["PACK_CLASS", "JapanPack"]
