"""The analyses as a JSON answer gives them: every text in the reader's language, every figure in it filled in.

The analyses keep their texts as msgids, which the HTML pages translate as they draw them; an answer in JSON
reads the same texts through these, so no client is handed an English template with unfilled placeholders."""

from __future__ import annotations

import msgspec

from domain.analytics.attrition import AttritionReport, EmployeeRisk
from domain.analytics.feedback_loop import CompetencyStats, FeedbackLoopReport
from domain.kernel.i18n import translate


def feedback_loop_read(report: FeedbackLoopReport, locale: str) -> FeedbackLoopReport:
    """Why there is no proposal, and why a competency is left out, in ``locale`` with the minimum sample."""
    return msgspec.structs.replace(
        report, reason=_why(report.reason, report.min_sample, locale),
        competencies=[_competency_read(stats, report.min_sample, locale) for stats in report.competencies])


def _competency_read(stats: CompetencyStats, minimum: int, locale: str) -> CompetencyStats:
    return msgspec.structs.replace(stats, reason=_why(stats.reason, minimum, locale))


def _why(reason: str | None, minimum: int, locale: str) -> str | None:
    return translate(reason, locale, minimum=minimum) if reason else None


def attrition_read(report: AttritionReport, locale: str) -> AttritionReport:
    """The model card's description and limits and each factor's explanation in ``locale``."""
    card = report.model_card
    card = msgspec.structs.replace(
        card, description=translate(card.description, locale, leavers=card.minimum_leavers,
                                    stayers=card.minimum_stayers),
        limits=[translate(limit, locale) for limit in card.limits])
    return msgspec.structs.replace(report, model_card=card,
                                   employees=[_risk_read(employee, locale) for employee in report.employees])


def _risk_read(employee: EmployeeRisk, locale: str) -> EmployeeRisk:
    factors = [msgspec.structs.replace(factor, explanation=translate(factor.explanation, locale))
               for factor in employee.risk.top_factors]
    return msgspec.structs.replace(employee, risk=msgspec.structs.replace(employee.risk, top_factors=factors))
