"""United States federal rule pack: Pub 15-T income tax withholding, social security and Medicare."""

from compliance.packs.us_united_states.pack import UnitedStatesPack

PACK_CLASS = UnitedStatesPack

__all__ = ["PACK_CLASS", "UnitedStatesPack"]
