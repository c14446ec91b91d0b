"""A tenant's own law version as a client would send it, shared by the law tests and the probe."""

from __future__ import annotations

from typing import Any

CITED = {"issuer": "上海市人力资源和社会保障局", "document": "关于调整2026年度本市职工社会保险缴费基数上下限的通知",
         "url": "https://rsj.sh.gov.cn/tgsgg_17341/20260818/t0035_1443203.html", "verification": "official"}


def shanghai_version(name: str, floor: str, ceiling: str) -> dict[str, Any]:
    """A tenant's Shanghai contribution year from 1 July 2026, as its data file would read."""
    def cited(value: dict[str, str]) -> dict[str, Any]:
        return {"value": {**value, "base_floor": floor, "base_ceiling": ceiling}, "source": CITED}
    return {"version": name, "effective_from": "2026-07-01", "effective_to": "2027-06-30", "region": "SH",
            "parameters": {
                "city": "Shanghai",
                "pension": cited({"employee_rate": "0.08", "employer_rate": "0.16"}),
                "medical": cited({"employee_rate": "0.02", "employer_rate": "0.09"}),
                "unemployment": cited({"employee_rate": "0.005", "employer_rate": "0.005"}),
                "maternity": cited({"employee_rate": "0", "employer_rate": "0"}),
                "work_injury": cited({"default_rate": "0.002", "min_rate": "0.002", "max_rate": "0.019"}),
                "housing_fund": {"value": {"default_rate": "0.07", "min_rate": "0.05", "max_rate": "0.07",
                                           "base_floor": "2740", "base_ceiling": ceiling, "quantum": "1"},
                                 "source": CITED},
            }}
