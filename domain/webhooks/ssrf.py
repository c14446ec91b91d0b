"""Where a webhook may be sent: the policy is the kernel's (:mod:`domain.kernel.ssrf`), shared with the sign-in
context's calls to a tenant's OpenID Connect provider."""

from __future__ import annotations

from domain.kernel.ssrf import IPAddress, Target, TargetPolicy, TargetRefused, checked, is_public, parse, resolve

__all__ = ["IPAddress", "Target", "TargetPolicy", "TargetRefused", "checked", "is_public", "parse", "resolve"]
