"""Labour-law-only packs as data: one folder per country (``<iso>_<name>``) with ``country.toml`` and ``labour/``."""
