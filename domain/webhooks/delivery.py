"""One webhook request, sent the safe way: the target checked and resolved at send time (``ssrf``), the connection
pinned to the address checked, a timeout, redirects never followed by the client but by this code, each hop checked
again, and at most a few of them. The answer is kept as an excerpt for the delivery log.

Redirects, by RFC 9110 15.4: a 307 or 308 asks for the same request elsewhere, so it is followed with the same POST,
body and signature (the new target checked first, like the first). A 301, 302 or 303 lets (303: tells) a client
repeat the request as a GET without its body; a signed event is never sent that way, nor re-POSTed where the
receiver did not ask for a POST, so the attempt fails with ``redirect_not_followed``, its status and the Location
in the log, and is retried like any failure until the endpoint is fixed."""

from __future__ import annotations

import functools
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from domain.kernel import ssrf
from domain.webhooks.model import EXCERPT_BYTES

#: Redirects that keep the method and body (RFC 9110 15.4.8, 15.4.9): followed, each hop checked.
FOLLOWED_REDIRECTS = frozenset({307, 308})
#: Redirects after which a client may (301, 302) or must (303) change a POST into a GET and drop the body: the
#: attempt fails, and the log says why (RFC 9110 15.4.2 to 15.4.4).
METHOD_CHANGING_REDIRECTS = frozenset({301, 302, 303})
REDIRECT_NOT_FOLLOWED = "redirect_not_followed"
USER_AGENT = "Meridian-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. ``error`` is a short code (no personal data): ``timeout``, ``connect_error``,
    ``refused_<reason>`` (the target, or a redirect's, is not allowed), ``too_many_redirects``,
    ``redirect_not_followed`` (a 301, 302 or 303), ..."""

    succeeded: bool
    status_code: int | None
    latency_ms: int
    excerpt: str | None
    error: str | None


@dataclass(frozen=True)
class SendRules:
    policy: ssrf.TargetPolicy
    timeout_seconds: float
    max_redirects: int


async def _excerpt(response: httpx.Response) -> str:
    kept = bytearray()
    async for chunk in response.aiter_raw():
        kept += chunk
        if len(kept) >= EXCERPT_BYTES:
            break
    return bytes(kept[:EXCERPT_BYTES]).decode("utf-8", errors="replace")


def client(rules: SendRules) -> httpx.AsyncClient:
    """One client for a pass of deliveries (its TLS context and connection pool are reused): it never follows
    redirects itself and reads no proxy settings from the environment."""
    # No connection is kept for reuse: a pooled connection is keyed by the pinned address, and another host name
    # behind the same address must get a TLS handshake (and certificate check) of its own.
    return httpx.AsyncClient(timeout=httpx.Timeout(rules.timeout_seconds), follow_redirects=False, trust_env=False,
                             limits=httpx.Limits(max_keepalive_connections=0), verify=_tls())


@functools.cache
def _tls() -> ssl.SSLContext:
    """The system's trusted roots, loaded once per process (loading them takes tens of milliseconds)."""
    return ssl.create_default_context()


async def post(url: str, body: bytes, headers: dict[str, str], rules: SendRules,
               sender: httpx.AsyncClient | None = None) -> Outcome:
    if sender is None:
        async with client(rules) as own:
            return await post(url, body, headers, rules, own)
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    current, status = url, None
    timeout = httpx.Timeout(rules.timeout_seconds)
    # One request per hop, each to the address its own check pinned.
    for _ in range(rules.max_redirects + 1):
        try:
            target = await ssrf.checked(current, rules.policy)
        except ssrf.TargetRefused as refused:
            return Outcome(False, status, elapsed(), None, f"refused_{refused.reason}")
        request = ssrf.pinned_request(
            sender, "POST", target, {**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
            timeout, content=body)
        try:
            response = await sender.send(request, stream=True)
            try:
                excerpt = await _excerpt(response)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            return Outcome(False, None, elapsed(), None, "timeout")
        except httpx.ConnectError:
            return Outcome(False, None, elapsed(), None, "connect_error")
        except httpx.HTTPError as exc:
            return Outcome(False, None, elapsed(), None, f"http_error_{type(exc).__name__}"[:200])
        status = response.status_code
        location = response.headers.get("location")
        if status in FOLLOWED_REDIRECTS and location:
            current = urljoin(current, location)
            continue
        if status in METHOD_CHANGING_REDIRECTS:
            said = f"{status} to {location or '(no Location)'}; only 307 and 308 are followed with the POST\n"
            return Outcome(False, status, elapsed(), (said + excerpt)[:EXCERPT_BYTES], REDIRECT_NOT_FOLLOWED)
        return Outcome(200 <= status < 300, status, elapsed(), excerpt, None)
    return Outcome(False, status, elapsed(), None, "too_many_redirects")
