"""A person's consent to a partner app: the scopes they allowed a client to use for them, remembered so the consent
page is not shown again for the same or fewer scopes, until the person revokes it (``/v1/my/authorised-apps``),
which also revokes the app's refresh tokens for them. A tenant table; the client is named by its row (deleting the
client deletes the consents) and by its public client id (how refresh tokens name it)."""

ID = "0034_oauth_consents"

TENANT_TABLES = ("oauth_consents",)

STATEMENTS = [
    """CREATE TABLE oauth_consents (
        id UUID NOT NULL,
        tenant_id UUID NOT NULL REFERENCES tenants (id),
        subject VARCHAR(200) NOT NULL,
        api_client_id UUID NOT NULL,
        client_id VARCHAR(200) NOT NULL,
        scope TEXT NOT NULL,
        granted_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, api_client_id) REFERENCES api_clients (tenant_id, id) ON DELETE CASCADE
    )""",
    "CREATE UNIQUE INDEX oauth_consents_person_client ON oauth_consents (tenant_id, subject, client_id)",
]
