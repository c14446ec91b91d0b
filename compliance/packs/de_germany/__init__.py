"""Germany (DE): Lohnsteuer, Solidaritätszuschlag and Kirchensteuer by the BMF Programmablaufplan, and the
employee and employer social-insurance contributions."""

from compliance.packs.de_germany.pack import GermanyPack

PACK_CLASS = GermanyPack

__all__ = ["PACK_CLASS", "GermanyPack"]
