"""Report links over HTTP: a logged-in client asks for a link; a browser opens it without a bearer token."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from api.guards import PUBLIC, Caller, requires
from api.http import created
from api.problems import PROBLEM_MEDIA_TYPE, Problem, request_id_of
from api.report_links import operation_of, read_link, render, sign_link, target_of
from domain.identity.service import NotAuthenticated, authenticate
from domain.kernel.permissions import Operation
from domain.report_links import service as report_links
from domain.report_links.service import NewReportLink, ReportLinkInvalid, ReportLinkView

#: What a page opened by a link may do: nothing but show itself (inline styles and SVG, no scripts, no requests),
#: never be framed, and never tell another site its address, which opens the report while the link lasts.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=description,
                        generate_examples=False)


class ReportLinkController(Controller):
    path = "/v1/report-links"
    tags = ["Reports"]

    @post("/", operation_id="createReportLink", opt=requires(Operation.REPORT_LINKS_CREATE),
          summary="A link that opens a report in a browser for a few minutes, without a bearer token (audited)")
    async def create(self, request: Request[Any, Any, Any], principal: Caller,
                     data: JSONBody[NewReportLink]) -> Response[ReportLinkView]:
        """A browser cannot send a bearer token, and a comparison is a POST: ask for a link here and open its `url`
        in the browser. It opens this report with these parameters only, as its HTML page in the language of this
        request (Accept-Language, else yours), for `MERIDIAN_REPORT_LINK_MINUTES` minutes (5 unless configured).
        You need the report's own permission (`results:read` for a comparison, `analytics:read` for the feedback
        loop and attrition, `payroll:read` for a pay run review or a payslip with employer costs,
        `own_payslips:read` for your own payslip); what the parameters name is looked up when the link is opened,
        in your organisation, with your rights then. Issuing is recorded in the audit trail."""
        data.require_its_parameters()
        if not principal.may(operation_of(request.app, target_of(data, principal))):
            raise PermissionDeniedException()
        settings = request.app.state.settings
        issued = await report_links.link_issued(principal, data, settings.report_link_minutes)
        url = f"{self.path}/{sign_link(settings, request.app.state.runtime.secret, principal, data, issued)}"
        return created(ReportLinkView(url=url, report=data.report, expires_at=issued.expires_at), url)

    @get("/{token:str}", operation_id="openReportLink", opt=PUBLIC, security=[{}], media_type=MediaType.HTML,
         responses={
             403: _problem("The link's creator may no longer read this report"),
             404: _problem("Not a valid report link (changed, cut, a bearer token, another installation's; "
                           "report_link_invalid), or the report names something that no longer exists"),
             410: _problem("The link's minutes are over (report_link_expired): ask for a new one"),
         },
         summary="Open a report link: the report's page, in the language it was asked in; no bearer token")
    async def open(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Response[bytes]:
        """The report's HTML page as its route renders it with `format=html`, for the link's creator as they may
        read it now (a disabled user's link opens nothing), in the language the link was asked in. A link may be
        opened again until it expires (a reload, the print preview); each opening is recorded in the audit trail.
        The page is not cached (`Cache-Control: no-store`), sends no Referer (`Referrer-Policy: no-referrer`) and
        runs nothing (`Content-Security-Policy`). An expired link answers 410 and any other token 404, as a
        problem in the browser's language."""
        link = read_link(request.app.state.settings, request.app.state.runtime.secret, token)
        try:
            principal = await authenticate(link.tenant_id, link.subject, link.roles, link.scopes,
                                           request_id_of(request))
        except NotAuthenticated as exc:
            raise ReportLinkInvalid() from exc
        principal = replace(principal, locale=link.locale)
        rendered = await render(request, principal, target_of(link.report, principal))
        if rendered.status == 200:
            await report_links.link_opened(principal, link.report, link.id)
            request.scope["state"]["locale"] = link.locale  # the answer's Content-Language
        return Response(rendered.body, status_code=rendered.status, media_type=rendered.content_type,
                        headers=PAGE_HEADERS)
