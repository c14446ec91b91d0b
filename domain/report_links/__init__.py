"""Report links: a short-lived signed link that opens one report, with fixed parameters, in a browser, which
cannot send a bearer token. The link's token is made and read at the HTTP edge (``api.report_links``); this
context names what a link may open and writes each link issued and opened to the audit chain."""
