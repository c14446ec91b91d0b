"""Every message a person can read renders in en, zh-CN and ja: in the reader's language, every placeholder
filled. Walks every problem code (domain, compliance and HTTP problems), every coded message (variance
exceptions, calculation problems, ...) and every other msgid the code declares, with representative
parameters; then the messages a pay run keeps, rendered from their stored form as a reader reads them."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from types import ModuleType
from uuid import UUID

import msgspec
import pytest

from api.catalogue import _import_everything, _subclasses, all_messages, message_codes, read_catalogue
from compliance.errors import INVALID_INPUT, ComplianceError
from compliance.registry import all_packs
from domain.kernel.errors import DomainError
from domain.kernel.i18n import SUPPORTED, translate
from domain.payroll.model import CalculationProblem
from domain.payroll.pipeline import CalculationBlocked
from domain.payroll.variance import VARIANCE_MESSAGES, PayslipSummary, VarianceThresholds, check, shown

PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Chinese or Japanese script: a translated text has some, whatever names and codes it also carries.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
TRANSLATED = [locale for locale in SUPPORTED if locale != "en"]


def sample(name: str) -> str:
    return f"[{name}]"


def representative(msgid: str) -> dict[str, str]:
    return {name: sample(name) for name in PLACEHOLDER.findall(msgid)}


def wordless(msgid: str) -> bool:
    """A msgid that is only placeholders and punctuation (``{problem}``) reads the same in every language."""
    return not re.search(r"[A-Za-z]", PLACEHOLDER.sub("", msgid))


def faults(msgid: str, locale: str, text: str, params: dict[str, str]) -> list[str]:
    """What is wrong with ``text``, ``msgid`` rendered in ``locale`` with ``params``."""
    found = []
    if "{" in text or "}" in text:
        found.append(f"unfilled placeholder in {text!r}")
    found += [f"{name} not shown in {text!r}" for name, value in params.items()
              if name in PLACEHOLDER.findall(msgid) and value not in text]
    if locale != "en" and not wordless(msgid) and not CJK.search(PLACEHOLDER.sub("", _msgstr(msgid, locale))):
        found.append(f"untranslated: {text!r}")
    return found


def _msgstr(msgid: str, locale: str) -> str:
    entry = _catalogue(locale).get(msgid)
    return entry.string if entry is not None and entry.string else ""


_catalogues: dict[str, object] = {}


def _catalogue(locale: str) -> object:
    if locale not in _catalogues:
        _catalogues[locale] = read_catalogue(locale)
    return _catalogues[locale]


def rendered_faults(msgids: list[tuple[str, str]]) -> list[str]:
    """Each (code, msgid) rendered in every language with representative parameters: what is wrong."""
    found = []
    for code, msgid in msgids:
        params = representative(msgid)
        for locale in SUPPORTED:
            text = translate(msgid, locale, **params)
            found += [f"{code} [{locale}] {fault}" for fault in faults(msgid, locale, text, params)]
    return found


# -- every code and every msgid ---------------------------------------------------------------------------


def test_every_problem_and_message_code_reads_in_every_language_with_every_placeholder_filled() -> None:
    coded = sorted((code, msgid) for code, msgids in message_codes().items() for msgid in msgids)
    assert rendered_faults(coded) == [], "run `python -m api.catalogue` and translate these"


def test_the_walk_reaches_every_kind_of_code() -> None:
    codes = message_codes()
    errors = [*_subclasses(DomainError), *_subclasses(ComplianceError)]
    assert {error.code for error in errors} <= set(codes)
    assert {"unauthenticated", "internal_error", "rate_limited"} <= set(codes)  # HTTP problems
    assert set(VARIANCE_MESSAGES) <= set(codes)
    assert {"payslip_calculation_failed", "pay_run_calculation_stopped", CalculationBlocked.code} <= set(codes)
    assert CalculationBlocked.template in codes[CalculationBlocked.code]


def test_every_other_message_reads_in_every_language_with_every_placeholder_filled() -> None:
    """Pack line labels, page and report texts, notifications: every msgid the catalogue gathers."""
    assert rendered_faults([("-", msgid) for msgid in all_messages()]) == []


def test_the_walk_fails_on_an_untranslated_message_or_an_unfilled_placeholder() -> None:
    assert faults("Net pay of {name}", "ja", translate("Net pay of {name}", "ja", name="X"), {"name": "X"}) == [
        "untranslated: 'Net pay of X'"]
    assert faults("{name} left", "en", "{name} left", {"name": "X"}) == [
        "unfilled placeholder in '{name} left'", "name not shown in '{name} left'"]
    assert faults("{problem}", "ja", "X", {"problem": "X"}) == []


# -- every msgid an error is raised with is in the catalogue ---------------------------------------------


def _raised_templates(module: ModuleType, errors: set[str]) -> Iterator[tuple[str, str]]:
    """The module constants passed as the template of an error (its first argument) or of a ``Detail``."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        named = [node.args[0]] if called in errors and node.args else []
        named += [k.value for k in node.keywords if k.arg == "template"]
        for argument in named:
            constant = vars(module).get(argument.id) if isinstance(argument, ast.Name) else None
            if isinstance(constant, str):
                yield f"{module.__name__}.{argument.id}", constant


def test_every_template_an_error_is_raised_with_is_in_the_catalogue() -> None:
    errors = {error.__name__ for error in (*_subclasses(DomainError), *_subclasses(ComplianceError))}
    declared = set(all_messages())
    raised = [found for module in _import_everything() for found in _raised_templates(module, errors)]
    assert len(raised) > 10, "the scan finds the templates errors are raised with"
    assert [name for name, template in raised if template not in declared] == []


# -- what a pay run keeps, read back in each language -----------------------------------------------------

ANNA, BEN, CY, DI, ED = (UUID(int=n) for n in range(1, 6))
PAY_DATE = date(2026, 4, 10)


def summary(employee_id: UUID, name: str, *, net: str = "3000.00", currency: str = "CNY",
            lines: dict[str, str] | None = None, terminated_on: date | None = None) -> PayslipSummary:
    return PayslipSummary(employee_id=employee_id, name=name, currency=currency, gross=Decimal("5000.00"),
                          net=Decimal(net), terminated_on=terminated_on,
                          lines={code: Decimal(v) for code, v in (lines or {"cn.iit": "100.00"}).items()})


def every_variance_exception() -> list[dict[str, object]]:
    """A run and its previous one with one finding of every message, in the form the run stores them."""
    current = [summary(ANNA, "王芳", net="-5.00", terminated_on=date(2026, 3, 20),
                       lines={"cn.iit": "100.00", "cn.pension": "400.00", "payroll.deduction": "50.00"}),
               summary(BEN, "佐藤健", currency="JPY", net="300000"), summary(CY, "Cy", net="9000.00"),
               summary(DI, "Di", net="4000.00")]
    previous = [summary(ANNA, "王芳", lines={"cn.iit": "300.00", "cn.pension": "400.00"}),
                summary(BEN, "佐藤健"), summary(CY, "Cy", net="0.00"), summary(DI, "Di"), summary(ED, "Ed")]
    found = check(current, previous, PAY_DATE, VarianceThresholds())
    found += check([summary(UUID(int=9), "New")], [], PAY_DATE, VarianceThresholds())
    return [msgspec.json.decode(msgspec.json.encode(e)) for e in found]


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_variance_exception_reads_in_the_readers_language_from_its_stored_form(locale: str) -> None:
    stored = every_variance_exception()
    assert {e["message_code"] for e in stored} == set(VARIANCE_MESSAGES), "one of every message"
    for detail in stored:
        read = shown(detail, locale)
        message = VARIANCE_MESSAGES[read["message_code"]]
        assert faults(message, locale, read["message"], read["params"]) == []
        assert read["params"] == {**detail["params"], **read["params"]}, "the stored params, as clients read them"
    lines = {e["code"]: shown(e, locale)["message"] for e in stored if e["code"]}
    assert translate("Individual income tax", locale) in lines["cn.iit"]
    assert translate("One-off deduction", locale) in lines["payroll.deduction"]


def test_an_exception_stored_before_messages_had_codes_reads_like_a_new_one() -> None:
    [new] = [e for e in every_variance_exception() if e["code"] == "cn.iit"]
    old = {key: value for key, value in new.items() if key != "message_code"}
    old["message"] = ("Line {code} of {name} changed by {change_percent}% from {previous} to {current} "
                      "{currency}; the threshold is {threshold_percent}%.")
    old["params"] = {**{k: v for k, v in new["params"].items() if k != "line"}, "code": "cn.iit"}
    for locale in SUPPORTED:
        assert shown(old, locale)["message"] == shown(new, locale)["message"]
        assert shown(old, locale)["message_code"] == "variance.line_change"


def every_calculation_problem() -> Iterator[CalculationProblem]:
    """A payslip blocked by each compliance error and each pack's own input problem."""
    for error in (ComplianceError, *_subclasses(ComplianceError)):
        yield CalculationProblem(ANNA, "王芳", error.template, representative(error.template), error.code)
    for pack in all_packs().values():
        module = inspect.getmodule(type(pack))
        for template in getattr(module, "PROBLEM_MESSAGES", ()):
            yield CalculationProblem(ANNA, "王芳", template, representative(template), "compliance.invalid_input")


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_calculation_problem_reads_in_the_readers_language_with_its_code_and_params(locale: str) -> None:
    problems = list(every_calculation_problem())
    assert any(INVALID_INPUT in p.template for p in problems)
    for problem in problems:
        view = problem.shown(locale)
        assert (view.code, view.params) == (problem.code, problem.params)
        assert faults(problem.template, locale, view.problem, problem.params) == [], problem.code
        blocked = translate(CalculationBlocked.template, locale, employee=view.employee, problem=view.problem)
        assert faults(CalculationBlocked.template, locale, blocked, {"employee": "王芳"}) == []
