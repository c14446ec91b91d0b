"""United Kingdom (GB): PAYE income tax, Class 1 National Insurance and statutory employment minimums."""

from compliance.packs.gb_united_kingdom.pack import UnitedKingdomPack

PACK_CLASS = UnitedKingdomPack

__all__ = ["PACK_CLASS", "UnitedKingdomPack"]
