"""OAuth clients a tenant admin registers for partner integrations, their secrets, and revoked tokens."""
