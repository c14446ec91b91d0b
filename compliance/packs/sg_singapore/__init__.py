"""Singapore (SG): CPF contributions and Employment Act minimums."""

from compliance.packs.sg_singapore.pack import SingaporePack

PACK_CLASS = SingaporePack

__all__ = ["PACK_CLASS", "SingaporePack"]
