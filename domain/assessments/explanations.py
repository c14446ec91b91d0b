"""An explanation of a candidate's evaluation, in plain language and in the reader's language (en, zh-CN, ja).

The same data for the candidate (through their portal) and for HR: the job's competencies with their weights and
pass marks, each score (0-100), the kinds of evidence behind it, whether an AI vendor or a person scored it, the
overall score, and every decision a person made (decision records and stage moves). It uses exactly what a
comparison uses: the AI evaluation only while the candidate consents to AI-assisted evaluation, else a person's
scores. Every reading is audited.
"""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from domain.assessments import queries
from domain.assessments.contract import decode_result
from domain.assessments.deliveries import scoring_model
from domain.assessments.human_evaluations import human_evaluation, latest_human_scores
from domain.assessments.model import Evaluation
from domain.assessments.safeguards import application_decisions_in, consented_applications
from domain.audit.service import record
from domain.kernel.db import UnitOfWork, unit_of_work
from domain.kernel.i18n import locale_code, translate
from domain.kernel.principal import Principal
from domain.kernel.time import utc_now
from domain.keys.service import keyring_for
from domain.recruitment.model import ApplicationRecord, pick_text
from domain.recruitment.service import (
    ApplicationNotFound,
    NoCompetencyModel,
    application_in,
    candidate_in,
    job_in,
    model_versions_in,
    stage_history_in,
    tenant_default_locale,
    version_in_force,
)

Source = Literal["ai", "human", "none"]

INTRO = ("This explains how the application for {job} was evaluated against version {version} of the job's "
         "competency model.")
AI_USED = ("An AI interview vendor scored the competencies from the interview, because the candidate consented to "
           "AI-assisted evaluation. A person decides what happens next.")
AI_NOT_CONSENTED = ("No AI result is used: the candidate has not consented to AI-assisted evaluation (or withdrew "
                    "that consent), so any AI result is set aside.")
HUMAN_USED = "People scored the competencies; no AI result was used."
NOTHING_SCORED = "No competency has been scored yet."
PARKED_RESULTS = "{count} AI result(s) are set aside and used nowhere until the candidate consents."
COMPETENCY_AI = ("{competency}: {score} out of 100 (pass mark {threshold}), {weight}% of the overall score. Scored by "
                 "AI from: {evidence}.")
COMPETENCY_HUMAN = ("{competency}: {score} out of 100 (pass mark {threshold}), {weight}% of the overall score. Scored "
                    "by a person from: {evidence}.")
COMPETENCY_NONE = "{competency}: not scored yet (pass mark {threshold}), {weight}% of the overall score."
OVERALL = ("Overall score: {overall} out of 100 (pass mark {threshold}), the weighted average of the scored "
           "competencies.")
PASSES = "The scores meet every pass mark."
DOES_NOT_PASS = "The scores do not meet every pass mark, or some competency is not scored yet."  # noqa: S105 (a message, not a secret)
PEOPLE_DECIDE = "No decision was made automatically: every decision listed was made by a person."
DECISION = "{when}: a person ({who}) looked at {output} and decided: {decision}."
STAGE_MOVE = "{when}: a person ({who}) moved the application to the stage {stage}."
TITLE = "Explanation of an evaluation"
HEADING_COMPETENCIES = "Competencies"
HEADING_DECISIONS = "Decisions by people"
COLUMN_COMPETENCY = "Competency"
COLUMN_SCORE = "Score (0-100)"
COLUMN_PASS_MARK = "Pass mark"  # noqa: S105 (a message, not a secret)
COLUMN_WEIGHT = "Weight"
COLUMN_SCORED_BY = "Scored by"
COLUMN_EVIDENCE = "Evidence"
SCORED_BY_AI = "AI-assisted scoring"
SCORED_BY_PERSON = "A person"
NOT_SCORED = "Not scored"
NO_DECISIONS = "No decision has been recorded yet."

EVIDENCE_LABELS = {
    "answer_content": "the content of the answers",
    "structured_interview": "answers in a structured interview",
    "work_sample": "a work sample",
    "knowledge_test": "a knowledge test",
    "skills_test": "a skills test",
    "situational_judgement": "situational judgement questions",
}
OUTPUT_LABELS = {
    "ai_interview_result": "an AI interview result",
    "evaluation_pass_fail": "the pass or fail of an evaluation",
    "comparison_ranking": "a ranking of candidates",
    "proposed_weights": "proposed competency weights",
    "attrition_risk": "an attrition risk score",
}
DECISION_LABELS = {
    "released": "use it, now that consent is given",
    "accepted": "accept it",
    "rejected": "reject the application",
    "advance": "move the application forward",
    "hold": "wait",
}

EXPLANATION_MESSAGES = (
    INTRO, AI_USED, AI_NOT_CONSENTED, HUMAN_USED, NOTHING_SCORED, PARKED_RESULTS, COMPETENCY_AI, COMPETENCY_HUMAN,
    COMPETENCY_NONE, OVERALL, PASSES, DOES_NOT_PASS, PEOPLE_DECIDE, DECISION, STAGE_MOVE, TITLE,
    HEADING_COMPETENCIES, HEADING_DECISIONS, COLUMN_COMPETENCY, COLUMN_SCORE, COLUMN_PASS_MARK, COLUMN_WEIGHT,
    COLUMN_SCORED_BY, COLUMN_EVIDENCE, SCORED_BY_AI, SCORED_BY_PERSON, NOT_SCORED, NO_DECISIONS,
    *EVIDENCE_LABELS.values(), *OUTPUT_LABELS.values(), *DECISION_LABELS.values(),
)


class ExplainedCompetency(msgspec.Struct, frozen=True):
    """One competency as explained: its name in the reader's language, weight (a share of 1, and in percent), pass
    mark and score on 0-100 (null when not scored), whether it passed, who scored it (`source`: ai, human or none),
    the evidence kinds the score rests on, and the sentence that says all this."""

    code: str
    name: str
    weight: str
    weight_percent: str
    pass_threshold: str
    score: str | None
    passed: bool | None
    source: Source
    evidence_kinds: list[str]
    scored_by: str | None
    text: str


class ExplainedDecision(msgspec.Struct, frozen=True):
    """A decision a person made about the application: a decision record on an automated output (`automated_output`)
    or a stage move (`stage_change`), who made it, when (UTC), and the sentence that says so."""

    kind: Literal["decision", "stage_change"]
    automated_output: str | None
    decision: str
    decided_by: str
    decided_at: datetime
    text: str


class Explanation(msgspec.Struct, frozen=True):
    """How an application was evaluated, in plain language in the reader's language (`locale`): the competency model
    version, whether the candidate consents to AI-assisted evaluation (`ai_consent`) and how many AI results are set
    aside for want of it, where the scores come from (`source`: ai, human or none), each competency, the overall
    score and pass, the decisions people made, and `summary`, the explanation as sentences."""

    application_id: UUID
    job_title: str
    locale: str
    model_id: UUID
    model_version: int
    ai_consent: bool
    ai_results_set_aside: int
    source: Source
    overall: str | None
    overall_pass_threshold: str
    passed: bool
    competencies: list[ExplainedCompetency]
    decisions: list[ExplainedDecision]
    summary: list[str]
    produced_at: datetime


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


async def explain_for_staff(principal: Principal, application_id: UUID, locale: str) -> Explanation:
    async with unit_of_work(principal.tenant_id) as uow:
        application = await application_in(uow, application_id)
        if application is None:
            raise ApplicationNotFound()
        explanation = await _explain(uow, application, locale)
        await record(uow, principal, "evaluation.explained", "application", application_id,
                     after={"reader": "staff", "locale": explanation.locale})
    return explanation


async def explain_for_candidate(principal: Principal, candidate_id: UUID, application_id: UUID,
                                locale: str | None) -> Explanation:
    """The candidate's own application only: another candidate's reads as not found, like a random id. In the
    language asked for, else the candidate's own."""
    async with unit_of_work(principal.tenant_id) as uow:
        application = await application_in(uow, application_id)
        if application is None or application.candidate_id != candidate_id:
            raise ApplicationNotFound()
        candidate = await candidate_in(uow, candidate_id) if locale is None else None
        explanation = await _explain(uow, application, locale or (candidate.locale if candidate else "en"))
        await record(uow, principal, "evaluation.explained", "application", application_id,
                     after={"reader": "candidate", "locale": explanation.locale})
    return explanation


async def _explain(uow: UnitOfWork, application: ApplicationRecord, locale: str) -> Explanation:
    locale = locale_code(locale)
    job = await job_in(uow, application.job_id)
    versions = await model_versions_in(uow, application.job_id)
    if job is None or not versions:
        raise NoCompetencyModel()
    version = version_in_force(versions, utc_now().date()) or versions[-1]
    model = scoring_model(version)
    names = {c.code: pick_text(c.names, locale, "en") for c in version.competencies}
    consented = application.id in await consented_applications(uow, {application.id})
    results = await queries.results(uow, None, application.id)
    set_aside = sum(1 for row in results if row.status == "parked")
    ai = ([e for e in await queries.evaluations(uow, application.id)
           if e.model_id == model.model_id and e.model_version == model.number][-1:] if consented else [])
    human_rows = await queries.human_evaluations(uow, application.id)
    evaluation: Evaluation | None
    evidence: dict[str, list[str]] = {}
    scored_by: dict[str, str] = {}
    if ai:
        source: Source = "ai"
        evaluation = ai[0].detail
        row = next((r for r in results if r.id == ai[0].result_id), None)
        if row is not None:
            cipher = await keyring_for(uow, [row.payload_ciphertext])
            payload = decode_result(cipher.open(row.payload_ciphertext, "interview_results", "payload",
                                                row.id).encode())
            evidence = {c.code: [c.evidence_kind] for c in payload.competencies}
            vendor = await queries.vendor(uow, row.vendor_id)
            scored_by = {c.code: f"AI ({vendor.name if vendor else payload.vendor})" for c in payload.competencies}
    else:
        evaluation = human_evaluation(application.id, human_rows, model)
        source = "human" if evaluation else "none"
        latest = latest_human_scores(human_rows)
        evidence = {code: [row.evidence_kind] for code, row in latest.items()}
        scored_by = {code: row.evaluated_by for code, row in latest.items()}

    def say(message: str, **params: object) -> str:
        return translate(message, locale, **params)

    def evidence_text(code: str) -> str:
        return ", ".join(say(EVIDENCE_LABELS.get(kind, kind)) for kind in evidence.get(code, []))

    competencies = []
    by_code = {c.code: c for c in evaluation.competencies} if evaluation else {}
    for competency in model.competencies:
        scored = by_code.get(competency.code)
        score = scored.score if scored else None
        weight_percent = _plain(competency.weight * 100)
        params = {"competency": names.get(competency.code, competency.code),
                  "threshold": str(competency.pass_threshold), "weight": weight_percent}
        item_source: Source = source if score is not None else "none"
        if score is None:
            text = say(COMPETENCY_NONE, **params)
        else:
            text = say(COMPETENCY_AI if source == "ai" else COMPETENCY_HUMAN, score=str(score),
                       evidence=evidence_text(competency.code), **params)
        competencies.append(ExplainedCompetency(
            code=competency.code, name=names.get(competency.code, competency.code), weight=str(competency.weight),
            weight_percent=weight_percent, pass_threshold=str(competency.pass_threshold),
            score=None if score is None else str(score), passed=scored.passed if scored else None,
            source=item_source, evidence_kinds=evidence.get(competency.code, []) if score is not None else [],
            scored_by=scored_by.get(competency.code) if score is not None else None, text=text))

    decisions = [ExplainedDecision(
        kind="decision", automated_output=d.automated_output, decision=d.decision, decided_by=d.reviewed_by,
        decided_at=d.reviewed_at, text=say(DECISION, when=_when(d.reviewed_at), who=d.reviewed_by,
                                           output=say(OUTPUT_LABELS.get(d.automated_output, d.automated_output)),
                                           decision=say(DECISION_LABELS.get(d.decision, d.decision))))
        for d in await application_decisions_in(uow, application.id)]
    decisions += [ExplainedDecision(
        kind="stage_change", automated_output=None, decision=move.to_stage, decided_by=move.moved_by,
        decided_at=move.moved_at, text=say(STAGE_MOVE, when=_when(move.moved_at), who=move.moved_by,
                                           stage=move.to_stage))
        for move in await stage_history_in(uow, application.id) if move.from_stage is not None]
    decisions.sort(key=lambda d: d.decided_at)

    job_title = pick_text(job.title, locale, await tenant_default_locale(uow))
    overall = evaluation.overall if evaluation else None
    passed = bool(evaluation and evaluation.passed)
    summary = [say(INTRO, job=job_title, version=version.number),
               say(AI_USED) if source == "ai" else say(AI_NOT_CONSENTED) if not consented and results
               else say(HUMAN_USED) if source == "human" else say(NOTHING_SCORED)]
    if set_aside:
        summary.append(say(PARKED_RESULTS, count=set_aside))
    if source == "human" and not consented and results:
        summary.append(say(HUMAN_USED))
    summary += [c.text for c in competencies]
    if overall is not None:
        summary.append(say(OVERALL, overall=str(overall), threshold=str(model.overall_pass_threshold)))
        summary.append(say(PASSES if passed else DOES_NOT_PASS))
    summary.append(say(PEOPLE_DECIDE))
    return Explanation(
        application_id=application.id, job_title=job_title, locale=locale.replace("_", "-"),
        model_id=model.model_id, model_version=model.number, ai_consent=consented, ai_results_set_aside=set_aside,
        source=source, overall=None if overall is None else str(overall),
        overall_pass_threshold=str(model.overall_pass_threshold), passed=passed, competencies=competencies,
        decisions=decisions, summary=summary, produced_at=utc_now())


def explanation_html(explanation: Explanation) -> str:
    """The explanation as a self-contained page in its language."""
    locale = locale_code(explanation.locale)

    def say(message: str) -> str:
        return html.escape(translate(message, locale))

    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in (
            c.name, c.score if c.score is not None else translate(NOT_SCORED, locale), c.pass_threshold,
            f"{c.weight_percent}%",
            translate(SCORED_BY_AI if c.source == "ai" else SCORED_BY_PERSON, locale) if c.source != "none" else "-",
            ", ".join(translate(EVIDENCE_LABELS.get(kind, kind), locale) for kind in c.evidence_kinds) or "-",
        )) + "</tr>" for c in explanation.competencies)
    head = "".join(f"<th>{say(column)}</th>" for column in (
        COLUMN_COMPETENCY, COLUMN_SCORE, COLUMN_PASS_MARK, COLUMN_WEIGHT, COLUMN_SCORED_BY, COLUMN_EVIDENCE))
    summary = "".join(f"<p>{html.escape(line)}</p>" for line in explanation.summary)
    decisions = ("<ul>" + "".join(f"<li>{html.escape(d.text)}</li>" for d in explanation.decisions) + "</ul>"
                 if explanation.decisions else f"<p>{say(NO_DECISIONS)}</p>")
    return (f'<!DOCTYPE html><html lang="{html.escape(explanation.locale)}"><head><meta charset="utf-8">'
            f"<title>{say(TITLE)}</title><style>body{{font-family:sans-serif;max-width:48rem;margin:2rem auto}}"
            "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3rem .6rem;text-align:left}"
            f"</style></head><body><h1>{say(TITLE)}</h1>{summary}<h2>{say(HEADING_COMPETENCIES)}</h2>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<h2>{say(HEADING_DECISIONS)}</h2>{decisions}</body></html>")
