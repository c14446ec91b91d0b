"""Law that stays current without a release: the tenant's own regulation layer, its written choices about the
law it runs on, and the signed law bundles an operator installs. Calculations ask this context for the packs
as the tenant sees them."""
