"""A small OpenID Connect provider of our own for the tests: a real HTTP server on a free loopback port serving
discovery, its JWKS, an authorize endpoint that signs in whichever user the test names (no password page), and a
token endpoint that checks the client's secret, the code's redirect URI and PKCE verifier, and issues an RS256 ID
token with the nonce it was given. It keeps everything in memory and stops when the block ends."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "test-issuer-1"


@dataclass
class OidcTestIssuer:
    """The provider's state: its issuer URL, keys, registered client and the user its authorize endpoint signs in."""

    client_id: str
    client_secret: str
    redirect_uri: str = ""
    subject: str = "person"
    issuer: str = ""
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: What the token endpoint refused, for the tests to read (wrong secret, wrong verifier, ...).
    refusals: list[str] = field(default_factory=list)
    #: Set to change what the next ID token says (another nonce, audience, issuer...).
    tamper: dict[str, Any] = field(default_factory=dict)

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": self.subject, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": nonce, **self.tamper}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})


def _handler(issuer: OidcTestIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, {"issuer": issuer.issuer, "authorization_endpoint": f"{issuer.issuer}/authorize",
                                 "token_endpoint": f"{issuer.issuer}/token", "jwks_uri": f"{issuer.issuer}/jwks",
                                 "response_types_supported": ["code"], "subject_types_supported": ["public"],
                                 "id_token_signing_alg_values_supported": ["RS256"]})
            elif parts.path == "/jwks":
                self._json(200, issuer.jwks())
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if query.get("client_id") != issuer.client_id or query.get("redirect_uri") != issuer.redirect_uri:
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                issuer.codes[code] = query
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?"
                                             f"{urlencode({'code': code, 'state': query.get('state', '')})}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            basic = base64.b64decode(self.headers.get("Authorization", "Basic ").split(" ", 1)[1] or b"").decode()
            asked = issuer.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            problem = ("wrong client secret" if basic != f"{issuer.client_id}:{issuer.client_secret}"
                       else "unknown code" if asked is None
                       else "wrong redirect_uri" if form.get("redirect_uri") != asked["redirect_uri"]
                       else "wrong code_verifier" if challenge != asked.get("code_challenge") else None)
            if problem is not None:
                issuer.refusals.append(problem)
                self._json(400, {"error": "invalid_grant"})
                return
            self._json(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                             "id_token": issuer.id_token(asked.get("nonce", ""))})

    return Handler


@contextmanager
def running_issuer(client_id: str = "meridian", client_secret: str = "issuer-secret") -> Iterator[OidcTestIssuer]:
    """A provider serving on 127.0.0.1 and a free port until the block ends."""
    issuer = OidcTestIssuer(client_id=client_id, client_secret=client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(issuer))
    issuer.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
