"""Meridian's OAuth 2.1 authorisation server (Authlib behind a Litestar adapter): see :mod:`api.oauth.server`."""
