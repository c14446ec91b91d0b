"""Where Meridian may send a request of its own to an address someone else chose: a webhook endpoint, a tenant's
OpenID Connect provider (its discovery document, token endpoint and JWKS). In shared mode only ``https`` URLs whose
host resolves to public addresses; an on-prem installation may allow ``http`` and internal addresses by a setting
(``internal``), and a provider on this machine may be allowed by another (``loopback``).

The host is resolved when the endpoint is saved (a clear refusal then) and again at every send and every redirect;
where resolving at save time is not wanted (a sign-in provider's issuer), :func:`refused_before_resolving` refuses
what the URL itself shows (its scheme, a literal address, a ``localhost`` name) and the send-time check does the rest;
every address it resolves to must be allowed, and the request then connects to the address that was checked (it is
pinned), so a DNS answer that changes between the check and the connection (rebinding) cannot move it."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: NAT64's well-known prefix embeds an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class TargetPolicy:
    """``internal``: http and non-public addresses are allowed (on-prem, by setting). ``loopback``: http and
    loopback addresses are allowed too (a sign-in provider on this machine, by setting; the tests' own)."""

    internal: bool = False
    loopback: bool = False


class TargetRefused(Exception):
    """Why a URL or address may not receive webhooks; ``reason`` is one of the stable codes below."""

    SCHEME = "scheme"
    MALFORMED = "malformed"
    CREDENTIALS = "credentials"
    UNRESOLVED = "unresolved"
    ADDRESS = "address"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Target:
    """A URL checked for sending: its parts and the address to connect to."""

    url: str
    parts: SplitResult
    host: str
    port: int
    address: IPAddress


def parse(url: str, policy: TargetPolicy) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port, or TargetRefused for a scheme, form or credentials not allowed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(TargetRefused.MALFORMED) from exc
    allowed = ("https", "http") if policy.internal or policy.loopback else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused(TargetRefused.SCHEME)
    if not parts.hostname or any(c.isspace() for c in url):
        raise TargetRefused(TargetRefused.MALFORMED)
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(TargetRefused.CREDENTIALS)
    return parts, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: IPAddress) -> bool:
    """Not private, loopback, link-local, multicast, reserved, unspecified or otherwise non-global, including an
    IPv4 address carried in IPv6 (mapped, 6to4, Teredo, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)  # the same IPv4 host, whatever the IPv6 range says
        embedded = address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return (
        not (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        )
        and address.is_global
    )


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` names literally, None for a name: IPv6 (bracketed, with or without a zone), dotted IPv4,
    and the short and numeric IPv4 forms a resolver reads the same way (``127.1``, ``2130706433``, ``0x7f.0.0.1``)."""
    bare = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def _names_this_machine(host: str) -> bool:
    """``localhost`` and its subdomains, loopback whatever DNS says (RFC 6761, 6.3)."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def refused_before_resolving(url: str, policy: TargetPolicy) -> None:
    """TargetRefused for what the URL alone shows is not allowed: its scheme, form or credentials, a literal address
    that is not public (loopback where ``policy`` allows it), or a ``localhost`` name where loopback is not allowed.
    Asks no DNS server, so a check at save time does not depend on the network; :func:`checked` still resolves the
    host at every send."""
    _, host, _ = parse(url, policy)
    if policy.internal:
        return
    address = literal_address(host)
    if address is None:
        if _names_this_machine(host) and not policy.loopback:
            raise TargetRefused(TargetRefused.ADDRESS)
        return
    if not _allowed(address, policy):
        raise TargetRefused(TargetRefused.ADDRESS)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an address literal is itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]").split("%")[0])]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(TargetRefused.UNRESOLVED) from exc
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise TargetRefused(TargetRefused.UNRESOLVED)
    return found


async def checked(url: str, policy: TargetPolicy) -> Target:
    """The URL checked and resolved now, with the address to connect to; TargetRefused when any address it
    resolves to is not allowed."""
    parts, host, port = parse(url, policy)
    addresses = await resolve(host, port)
    if not policy.internal and not all(_allowed(address, policy) for address in addresses):
        raise TargetRefused(TargetRefused.ADDRESS)
    return Target(url=url, parts=parts, host=host, port=port, address=addresses[0])


def _allowed(address: IPAddress, policy: TargetPolicy) -> bool:
    return is_public(address) or (policy.loopback and address.is_loopback)


# -- sending to the address checked ------------------------------------------------------------------------------


def pinned_url(target: Target) -> httpx.URL:
    """The URL with its host replaced by the address checked: the connection goes there, whatever DNS says next."""
    return httpx.URL(target.url).copy_with(host=str(target.address))


def host_header(target: Target) -> str:
    default = 443 if target.parts.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


def pinned_request(
    sender: httpx.AsyncClient,
    method: str,
    target: Target,
    headers: dict[str, str],
    timeout: httpx.Timeout,
    **content: Any,
) -> httpx.Request:
    """A request to the checked address, naming the host in ``Host`` and in TLS (SNI and the certificate check)."""
    return sender.build_request(
        method,
        pinned_url(target),
        headers={**headers, "Host": host_header(target)},
        extensions={"sni_hostname": target.host, "timeout": timeout.as_dict()},
        **content,
    )
