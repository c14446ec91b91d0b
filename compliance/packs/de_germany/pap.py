"""The BMF Programmablaufplan (PAP) for wage tax, solidarity surcharge and the church-tax base.

This is a line-by-line rendering of the PAP's program (the XML the ITZBund publishes for 2025 and
2026, § 39b Abs. 6 EStG), with the year's figures taken from :class:`WageTaxParameters`.
Methods keep the PAP's names in lower case so an auditor can lay them beside the official chart;
the page numbers are the PAP's. Every ``_down``/``_up`` call is one of the PAP's
``setScale(n, ROUND_DOWN/ROUND_UP)`` steps: ROUND_DOWN cuts toward zero, ROUND_UP rounds away
from zero, exactly like Java's BigDecimal. All other arithmetic is exact, as BigDecimal's is.

Inputs and outputs are in cents, as in the PAP; only the caller converts to euros.
The PAP's internal state is mutable and later steps depend on it (for example the Vorsorgepauschale
caps ``ZRE4VP`` in place), so the run is an object whose attributes are the PAP's variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Context, Decimal, localcontext

from compliance.packs.de_germany.parameters import WageTaxParameters

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)
SEVEN = Decimal(7)
TWELVE = Decimal(12)
HUNDRED = Decimal(100)
THREE_SIXTY = Decimal(360)
SEVEN_HUNDRED = Decimal(700)
TEN_THOUSAND = Decimal(10000)
TWENTY_FIVE_BASIS = Decimal("1.25")
SEVENTY_FIVE_BASIS = Decimal("0.75")
#: Exact arithmetic like BigDecimal's: every intermediate value of the PAP fits well inside 40 digits.
EXACT = Context(prec=40)
QUANTA = {0: Decimal(1), 2: Decimal("0.01"), 6: Decimal("0.000001")}

#: The PAP's decimal variables, all starting at zero as its BigDecimal defaults do.
PAP_DECIMALS = (
    "alte", "anp", "anteil1", "bbgkvpv", "bbgrv", "bmg", "diff", "efa", "fvb", "fvbso", "fvbz", "fvbzso", "gfb",
    "hbalte", "hfvb", "hfvbz", "hfvbzso", "hoch", "jbmg", "jlfreib", "jlhinzu", "jw", "kfb", "kvsatzag",
    "kvsatzan", "lstjahr", "lstoso", "lstso", "mist", "pvsatzag", "pvsatzan", "rvsatzan", "avsatzan", "rw", "sap",
    "solzfrei", "solzj", "solzmin", "solzsbmg", "solzszve", "st", "st1", "st2", "vbezb", "vbezbso", "vergl", "vkv",
    "vsp", "vspn", "vsp1", "vsp2", "vsp3", "vhb", "vspr", "vspkvpv", "vsphb", "vspalv", "pkpvagzj", "zre4vpr",
    "w1stkl5", "w2stkl5", "w3stkl5", "x", "y", "zre4", "zre4j", "zre4vp", "ztabfb", "zvbez", "zvbezj", "zve", "zx",
    "zzx", "bk", "bks", "lstlzz", "solzlzz", "solzs", "sts", "vkvlzz", "vkvsonst",
)

PAY_PERIOD_YEAR, PAY_PERIOD_MONTH, PAY_PERIOD_WEEK, PAY_PERIOD_DAY = 1, 2, 3, 4


def _down(value: Decimal, scale: int) -> Decimal:
    return value.quantize(QUANTA[scale], rounding=ROUND_DOWN)


def _up(value: Decimal, scale: int) -> Decimal:
    return value.quantize(QUANTA[scale], rounding=ROUND_UP)


@dataclass(frozen=True, slots=True)
class PapInput:
    """The PAP's input fields (names in lower case); money in cents."""

    stkl: int
    lzz: int
    re4: Decimal
    af: int = 1
    f: Decimal = ONE
    ajahr: int = 0
    alter1: int = 0
    alv: int = 0
    jfreib: Decimal = ZERO
    jhinzu: Decimal = ZERO
    jre4: Decimal = ZERO
    jre4ent: Decimal = ZERO
    jvbez: Decimal = ZERO
    krv: int = 0
    kvz: Decimal = ZERO
    lzzfreib: Decimal = ZERO
    lzzhinzu: Decimal = ZERO
    mbv: Decimal = ZERO
    pkpv: Decimal = ZERO
    pkpvagz: Decimal = ZERO
    pkv: int = 0
    pva: Decimal = ZERO
    pvs: int = 0
    pvz: int = 0
    r: int = 0
    sonstb: Decimal = ZERO
    sonstent: Decimal = ZERO
    sterbe: Decimal = ZERO
    vbez: Decimal = ZERO
    vbezm: Decimal = ZERO
    vbezs: Decimal = ZERO
    vbs: Decimal = ZERO
    vjahr: int = 0
    zkf: Decimal = ZERO
    zmvb: int = 0


@dataclass(frozen=True, slots=True)
class PapResult:
    """The PAP's standard outputs in cents, and the annual figures behind them (euros) for the trace."""

    lstlzz: Decimal
    solzlzz: Decimal
    bk: Decimal
    sts: Decimal
    solzs: Decimal
    bks: Decimal
    vkvlzz: Decimal
    vkvsonst: Decimal
    annual_wage: Decimal
    taxable_income: Decimal
    provision_allowance: Decimal
    annual_wage_tax: Decimal
    annual_surcharge_base: Decimal


def run_pap(params: WageTaxParameters, given: PapInput) -> PapResult:
    """Execute the PAP's MAIN for one set of inputs."""
    with localcontext(EXACT):
        run = _Run(params, given)
        run.main()
        return run.result()


class _Run:
    """One execution of the PAP; attributes are the PAP's variables in lower case."""

    def __init__(self, params: WageTaxParameters, given: PapInput) -> None:
        self.p = params
        self.edition = params.programme.value
        self.tariff = params.tariff.value
        self.c56 = params.class5_6.value
        self.vp = params.provision.value
        self.tables = params.pension_relief.value
        self.i = given
        self.lzz = given.lzz
        self.f = given.f
        self.zmvb = given.zmvb
        for name in PAP_DECIMALS:
            setattr(self, name, ZERO)
        self.j = 0
        self.k = 0
        self.kztab = 0
        self.trace_zve = ZERO
        self.trace_vsp = ZERO

    def result(self) -> PapResult:
        return PapResult(
            lstlzz=self.lstlzz, solzlzz=self.solzlzz, bk=self.bk, sts=self.sts, solzs=self.solzs, bks=self.bks,
            vkvlzz=self.vkvlzz, vkvsonst=self.vkvsonst, annual_wage=self.trace_zre4j,
            taxable_income=self.trace_zve, provision_allowance=self.trace_vsp, annual_wage_tax=self.lstjahr,
            annual_surcharge_base=self.jbmg,
        )

    # -- PAP page 13 ---------------------------------------------------------------------------

    def main(self) -> None:
        self.mpara()
        self.mre4jl()
        self.trace_zre4j = self.zre4j
        self.vbezbso = ZERO
        self.mre4()
        self.mre4abz()
        self.mberech()
        self.msonst()

    def mpara(self) -> None:
        """Page 14: the year's social-insurance and tariff figures."""
        vp, i = self.vp, self.i
        if self.edition == "2025":
            if i.krv < 1:
                self.bbgrv = vp.pension_ceiling
                self.rvsatzan = vp.pension_rate_employee
            self.kvsatzag = _required(vp.health_rate_employer)
        else:
            self.bbgrv = vp.pension_ceiling
            self.avsatzan = _required(vp.unemployment_rate_employee)
            self.rvsatzan = vp.pension_rate_employee
        self.bbgkvpv = vp.health_care_ceiling
        self.kvsatzan = i.kvz / TWO / HUNDRED + vp.health_rate_employee
        if i.pvs == 1:
            self.pvsatzan = vp.care_rate_employee_saxony
            self.pvsatzag = vp.care_rate_employer_saxony or ZERO
        else:
            self.pvsatzan = vp.care_rate_employee
            self.pvsatzag = vp.care_rate_employer or ZERO
        if i.pvz == 1:
            self.pvsatzan = self.pvsatzan + vp.care_childless_surcharge
        else:
            self.pvsatzan = self.pvsatzan - i.pva * vp.care_child_discount
        self.w1stkl5 = self.c56.first_threshold
        self.w2stkl5 = self.c56.second_threshold
        self.w3stkl5 = self.c56.third_threshold
        self.gfb = self.p.basic_allowance.value
        self.solzfrei = self.p.solidarity.value.exemption_limit

    def mre4jl(self) -> None:
        """Page 15: project the period's pay and allowances onto a year (§ 39b Abs. 2 Satz 2 EStG)."""
        i = self.i
        if self.lzz == PAY_PERIOD_YEAR:
            factor, divisor = ONE, HUNDRED
        elif self.lzz == PAY_PERIOD_MONTH:
            factor, divisor = TWELVE, HUNDRED
        elif self.lzz == PAY_PERIOD_WEEK:
            factor, divisor = THREE_SIXTY, SEVEN_HUNDRED
        else:
            factor, divisor = THREE_SIXTY, HUNDRED
        self.zre4j = _down(i.re4 * factor / divisor, 2)
        self.zvbezj = _down(i.vbez * factor / divisor, 2)
        self.jlfreib = _down(i.lzzfreib * factor / divisor, 2)
        self.jlhinzu = _down(i.lzzhinzu * factor / divisor, 2)
        if i.af == 0:
            self.f = ONE

    def mre4(self) -> None:
        """Page 16: allowances for pensions (Versorgungsfreibetrag and its supplement, § 19 Abs. 2 EStG)."""
        if self.zvbezj == ZERO:
            self.fvbz = self.fvb = self.fvbzso = self.fvbso = ZERO
        else:
            self._pension_allowances()
        self.mre4alte()

    def _pension_allowances(self) -> None:
        i, t = self.i, self.tables
        self.j = 1 if i.vjahr < 2006 else (i.vjahr - 2004 if i.vjahr < 2058 else 54)
        j = self.j
        if self.lzz == PAY_PERIOD_YEAR:
            self.vbezb = i.vbezm * Decimal(self.zmvb) + i.vbezs
            self.hfvb = _up(t.pension_allowance_maximum[j] / TWELVE * Decimal(self.zmvb), 0)
            self.fvbz = _up(t.pension_allowance_supplement[j] / TWELVE * Decimal(self.zmvb), 0)
        else:
            self.vbezb = _down(i.vbezm * TWELVE + i.vbezs, 2)
            self.hfvb = t.pension_allowance_maximum[j]
            self.fvbz = t.pension_allowance_supplement[j]
        self.fvb = _up(self.vbezb * t.pension_allowance_percent[j] / HUNDRED, 2)
        if self.fvb > self.hfvb:
            self.fvb = self.hfvb
        if self.fvb > self.zvbezj:
            self.fvb = self.zvbezj
        self.fvbso = _up(self.fvb + self.vbezbso * t.pension_allowance_percent[j] / HUNDRED, 2)
        if self.fvbso > t.pension_allowance_maximum[j]:
            self.fvbso = t.pension_allowance_maximum[j]
        self.hfvbzso = _down((self.vbezb + self.vbezbso) / HUNDRED - self.fvbso, 2)
        self.fvbzso = _up(self.fvbz + self.vbezbso / HUNDRED, 0)
        if self.fvbzso > self.hfvbzso:
            self.fvbzso = _up(self.hfvbzso, 0)
        if self.fvbzso > t.pension_allowance_supplement[j]:
            self.fvbzso = t.pension_allowance_supplement[j]
        self.hfvbz = _down(self.vbezb / HUNDRED - self.fvb, 2)
        if self.fvbz > self.hfvbz:
            self.fvbz = _up(self.hfvbz, 0)

    def mre4alte(self) -> None:
        """Page 17: age relief (Altersentlastungsbetrag, § 24a EStG), rounded up to whole euros."""
        i = self.i
        if i.alter1 == 0:
            self.alte = ZERO
            return
        self.k = 1 if i.ajahr < 2006 else (i.ajahr - 2004 if i.ajahr < 2058 else 54)
        self.bmg = self.zre4j - self.zvbezj
        self.alte = _up(self.bmg * self.tables.age_relief_percent[self.k], 0)
        self.hbalte = self.tables.age_relief_maximum[self.k]
        if self.alte > self.hbalte:
            self.alte = self.hbalte

    def mre4abz(self) -> None:
        """Page 20: annual pay after the allowances of § 39b Abs. 2 Sätze 3 and 4 EStG."""
        self.zre4 = _down(self.zre4j - self.fvb - self.alte - self.jlfreib + self.jlhinzu, 2)
        if self.zre4 < ZERO:
            self.zre4 = ZERO
        self.zre4vp = self.zre4j
        self.zvbez = _down(self.zvbezj - self.fvb, 2)
        if self.zvbez < ZERO:
            self.zvbez = ZERO

    # -- current pay, pages 21-32 --------------------------------------------------------------

    def mberech(self) -> None:
        """Page 21: wage tax on current pay, then the surcharge and church-tax base with child allowances."""
        self.mztabfb()
        self.mlstjahr()
        self.trace_zve, self.trace_vsp = self.zve, self.vsp
        self.lstjahr = _down(self.st * self.f, 0)
        self.uplstlzz()
        if self.edition == "2025":
            self.upvkvlzz()
        if self.i.zkf > ZERO:
            self.ztabfb = self.ztabfb + self.kfb
            self.mre4abz()
            self.mlstjahr()
            self.jbmg = _down(self.st * self.f, 0)
        else:
            self.jbmg = self.lstjahr
        self.msolz()

    def mztabfb(self) -> None:
        """Page 22: the fixed table allowances (lump sums, single-parent relief, child allowances)."""
        a = self.p.allowances.value
        self.anp = ZERO
        if self.zvbez >= ZERO and self.zvbez < self.fvbz:
            self.fvbz = Decimal(int(self.zvbez))
        stkl = self.i.stkl
        if stkl < 6:
            if self.zvbez > ZERO:
                if self.zvbez - self.fvbz < a.pension_lump_sum:
                    self.anp = _up(self.zvbez - self.fvbz, 0)
                else:
                    self.anp = a.pension_lump_sum
        else:
            self.fvbz = ZERO
            self.fvbzso = ZERO
        if stkl < 6 and self.zre4 > self.zvbez:
            if self.zre4 - self.zvbez < a.employee_lump_sum:
                self.anp = _up(self.anp + self.zre4 - self.zvbez, 0)
            else:
                self.anp = self.anp + a.employee_lump_sum
        self.kztab = 1
        children = self.p.child_allowance.value
        if stkl in (1, 2, 3):
            self.sap = a.special_expenses_lump_sum
            self.kfb = _down(self.i.zkf * children.full, 0)
            if stkl == 2:
                self.efa = a.single_parent_relief
            if stkl == 3:
                self.kztab = 2
        elif stkl == 4:
            self.sap = a.special_expenses_lump_sum
            self.kfb = _down(self.i.zkf * children.half, 0)
        elif stkl == 5:
            self.sap = a.special_expenses_lump_sum
            self.kfb = ZERO
        else:
            self.kfb = ZERO
        self.ztabfb = _down(self.efa + self.anp + self.sap + self.fvbz, 2)

    def mlstjahr(self) -> None:
        """Page 23: annual wage tax on the taxable income after the Vorsorgepauschale."""
        self.upevp()
        self.zve = self.zre4 - self.ztabfb - self.vsp
        self.upmlst()

    def upvkvlzz(self) -> None:
        """2025 page 24: private health/care contributions taken into account for the period."""
        self.upvkv()
        self.jw = self.vkv
        self.upanteil()
        self.vkvlzz = self.anteil1

    def upvkv(self) -> None:
        """2025 page 24."""
        if self.i.pkv > 0:
            self.vkv = (self.vsp2 if self.vsp2 > self.vsp3 else self.vsp3) * HUNDRED
        else:
            self.vkv = ZERO

    def uplstlzz(self) -> None:
        self.jw = self.lstjahr * HUNDRED
        self.upanteil()
        self.lstlzz = self.anteil1

    def upmlst(self) -> None:
        """Splitting halves the income for class III (KZTAB 2); classes V and VI use § 39b Abs. 2 Satz 7."""
        if self.zve < ONE:
            self.zve = ZERO
            self.x = ZERO
        else:
            self.x = _down(self.zve / Decimal(self.kztab), 0)
        if self.i.stkl < 5:
            self.uptab()
        else:
            self.mst5_6()

    def upevp(self) -> None:
        """The Vorsorgepauschale (§ 39b Abs. 2 Satz 5 Nr. 3 EStG); its method changed in 2026."""
        if self.edition == "2025":
            self._provision_2025()
        else:
            self._provision_2026()

    def _provision_2025(self) -> None:
        """2025 page 27: pension part plus the better of the minimum lump sum and the health/care part."""
        vp = self.vp
        if self.i.krv == 1:
            self.vsp1 = ZERO
        else:
            if self.zre4vp > self.bbgrv:
                self.zre4vp = self.bbgrv
            self.vsp1 = _down(self.zre4vp * self.rvsatzan, 2)
        self.vsp2 = _down(self.zre4vp * _required(vp.minimum_rate), 2)
        self.vhb = _required(vp.minimum_cap_class3) if self.i.stkl == 3 else _required(vp.minimum_cap)
        if self.vsp2 > self.vhb:
            self.vsp2 = self.vhb
        self.vspn = _up(self.vsp1 + self.vsp2, 0)
        self.mvsp()
        if self.vspn > self.vsp:
            self.vsp = _down(self.vspn, 2)

    def mvsp(self) -> None:
        """2025 page 28: health and care part, statutory or private (PKV 2: less the employer subsidy)."""
        i = self.i
        if self.zre4vp > self.bbgkvpv:
            self.zre4vp = self.bbgkvpv
        if i.pkv > 0:
            if i.stkl == 6:
                self.vsp3 = ZERO
            else:
                self.vsp3 = i.pkpv * TWELVE / HUNDRED
                if i.pkv == 2:
                    self.vsp3 = _down(self.vsp3 - self.zre4vp * (self.kvsatzag + self.pvsatzag), 2)
        else:
            self.vsp3 = _down(self.zre4vp * (self.kvsatzan + self.pvsatzan), 2)
        self.vsp = _up(self.vsp3 + self.vsp1, 0)

    def _provision_2026(self) -> None:
        """2026 page 26: pension part, health/care part, and the unemployment part within the 1,900 cap."""
        if self.i.krv == 1:
            self.vspr = ZERO
        else:
            self.zre4vpr = self.bbgrv if self.zre4vp > self.bbgrv else self.zre4vp
            self.vspr = _down(self.zre4vpr * self.rvsatzan, 2)
        self.mvspkvpv()
        if self.i.alv != 1 and self.i.stkl != 6:
            self.mvsphb()

    def mvspkvpv(self) -> None:
        """2026 page 27: health and care part; private premiums less the employer subsidy, not below 0."""
        i = self.i
        self.zre4vpr = self.bbgkvpv if self.zre4vp > self.bbgkvpv else self.zre4vp
        if i.pkv > 0:
            if i.stkl == 6:
                self.vspkvpv = ZERO
            else:
                self.pkpvagzj = _down(i.pkpvagz * TWELVE / HUNDRED, 2)
                self.vspkvpv = _down(i.pkpv * TWELVE / HUNDRED, 2) - self.pkpvagzj
                if self.vspkvpv < ZERO:
                    self.vspkvpv = ZERO
        else:
            self.vspkvpv = _down(self.zre4vpr * (self.kvsatzan + self.pvsatzan), 2)
        self.vsp = _up(self.vspkvpv + self.vspr, 0)

    def mvsphb(self) -> None:
        """2026 page 28: unemployment insurance counts together with health/care up to the annual cap."""
        self.zre4vpr = self.bbgrv if self.zre4vp > self.bbgrv else self.zre4vp
        self.vspalv = _down(_required(self.vp.unemployment_rate_employee) * self.zre4vpr, 2)
        self.vsphb = _down(self.vspalv + self.vspkvpv, 2)
        cap = _required(self.vp.maximum_health_unemployment)
        if self.vsphb > cap:
            self.vsphb = cap
        self.vspn = _up(self.vspr + self.vsphb, 0)
        if self.vspn > self.vsp:
            self.vsp = self.vspn

    def mst5_6(self) -> None:
        """Page 29: classes V and VI, § 39b Abs. 2 Satz 7 EStG."""
        c = self.c56
        self.zzx = self.x
        if self.zzx > self.w2stkl5:
            self.zx = self.w2stkl5
            self.up5_6()
            if self.zzx > self.w3stkl5:
                self.st = _down(self.st + (self.w3stkl5 - self.w2stkl5) * c.middle_rate, 0)
                self.st = _down(self.st + (self.zzx - self.w3stkl5) * c.top_rate, 0)
            else:
                self.st = _down(self.st + (self.zzx - self.w2stkl5) * c.middle_rate, 0)
        else:
            self.zx = self.zzx
            self.up5_6()
            if self.zzx > self.w1stkl5:
                self.vergl = self.st
                self.zx = self.w1stkl5
                self.up5_6()
                self.hoch = _down(self.st + (self.zzx - self.w1stkl5) * c.middle_rate, 0)
                self.st = self.hoch if self.hoch < self.vergl else self.vergl

    def up5_6(self) -> None:
        """Page 30: twice the tariff difference between 125 % and 75 % of the income, at least the minimum rate.
        The 2025 programme cuts the scaled incomes to cents, the 2026 one to whole euros."""
        scale = 2 if self.edition == "2025" else 0
        self.x = _down(self.zx * TWENTY_FIVE_BASIS, scale)
        self.uptab()
        self.st1 = self.st
        self.x = _down(self.zx * SEVENTY_FIVE_BASIS, scale)
        self.uptab()
        self.st2 = self.st
        self.diff = (self.st1 - self.st2) * TWO
        self.mist = _down(self.zx * self.c56.minimum_rate, 0)
        self.st = self.mist if self.mist > self.diff else self.diff

    def msolz(self) -> None:
        """Page 31: solidarity surcharge with its exemption limit and phase-in, and the church-tax base BK."""
        sol = self.p.solidarity.value
        self.solzfrei = self.solzfrei * Decimal(self.kztab)
        if self.jbmg > self.solzfrei:
            self.solzj = _down(self.jbmg * sol.rate_percent / HUNDRED, 2)
            self.solzmin = _down((self.jbmg - self.solzfrei) * sol.phase_in_rate_percent / HUNDRED, 2)
            if self.solzmin < self.solzj:
                self.solzj = self.solzmin
            self.jw = _down(self.solzj * HUNDRED, 0)
            self.upanteil()
            self.solzlzz = self.anteil1
        else:
            self.solzlzz = ZERO
        if self.i.r > 0:
            self.jw = self.jbmg * HUNDRED
            self.upanteil()
            self.bk = self.anteil1
        else:
            self.bk = ZERO

    def upanteil(self) -> None:
        """Page 32: the period's share of an annual amount, cut to whole cents (§ 39b Abs. 2 Satz 9 EStG)."""
        if self.lzz == PAY_PERIOD_YEAR:
            self.anteil1 = self.jw
        elif self.lzz == PAY_PERIOD_MONTH:
            self.anteil1 = _down(self.jw / TWELVE, 0)
        elif self.lzz == PAY_PERIOD_WEEK:
            self.anteil1 = _down(self.jw * SEVEN / THREE_SIXTY, 0)
        else:
            self.anteil1 = _down(self.jw / THREE_SIXTY, 0)

    # -- other payments (sonstige Bezüge), pages 33-37 ----------------------------------------

    def msonst(self) -> None:
        """Page 33: tax on other payments as the difference of two annual taxes (§ 39b Abs. 3 EStG)."""
        i = self.i
        self.lzz = PAY_PERIOD_YEAR
        if self.zmvb == 0:
            self.zmvb = 12
        if i.sonstb == ZERO and i.mbv == ZERO:
            self.vkvsonst = self.lstso = self.sts = self.solzs = self.bks = ZERO
            return
        self.mosonst()
        if self.edition == "2025":
            self.upvkv()
            self.vkvsonst = self.vkv
        self.zre4j = _down((i.jre4 + i.sonstb) / HUNDRED, 2)
        self.zvbezj = _down((i.jvbez + i.vbs) / HUNDRED, 2)
        self.vbezbso = i.sterbe
        self.mre4sonst()
        self.mlstjahr()
        if self.edition == "2025":
            self.upvkv()
            self.vkvsonst = self.vkv - self.vkvsonst
        self.lstso = self.st * HUNDRED
        # Java's ROUND_DOWN cuts negative amounts toward zero too, as the PAP's note requires.
        self.sts = _down((self.lstso - self.lstoso) * self.f / HUNDRED, 0) * HUNDRED
        self.stsmin()

    def stsmin(self) -> None:
        """Page 34: a negative tax on other payments (only from non-taxable equity benefits) reduces the rest."""
        i = self.i
        if self.sts < ZERO:
            if i.mbv != ZERO:
                self.lstlzz = self.lstlzz + self.sts
                if self.lstlzz < ZERO:
                    self.lstlzz = ZERO
                rate = self.p.solidarity.value.rate_percent / HUNDRED
                self.solzlzz = _down(self.solzlzz + self.sts * rate, 0)
                if self.solzlzz < ZERO:
                    self.solzlzz = ZERO
                self.bk = self.bk + self.sts
                if self.bk < ZERO:
                    self.bk = ZERO
            self.sts = ZERO
            self.solzs = ZERO
        else:
            self.msolzsts()
        self.bks = self.sts if i.r > 0 else ZERO

    def msolzsts(self) -> None:
        """Page 35: surcharge on other payments only if the annual base with them exceeds the exemption limit."""
        self.solzszve = self.zve - self.kfb if self.i.zkf > ZERO else self.zve
        if self.solzszve < ONE:
            self.solzszve = ZERO
            self.x = ZERO
        else:
            self.x = _down(self.solzszve / Decimal(self.kztab), 0)
        if self.i.stkl < 5:
            self.uptab()
        else:
            self.mst5_6()
        self.solzsbmg = _down(self.st * self.f, 0)
        if self.solzsbmg > self.solzfrei:
            self.solzs = _down(self.sts * self.p.solidarity.value.rate_percent / HUNDRED, 0)
        else:
            self.solzs = ZERO

    def mosonst(self) -> None:
        """Page 36: annual tax on the expected annual pay without the other payment."""
        i = self.i
        self.zre4j = _down(i.jre4 / HUNDRED, 2)
        self.zvbezj = _down(i.jvbez / HUNDRED, 2)
        self.jlfreib = _down(i.jfreib / HUNDRED, 2)
        self.jlhinzu = _down(i.jhinzu / HUNDRED, 2)
        self.mre4()
        self.mre4abz()
        self.zre4vp = self.zre4vp - i.jre4ent / HUNDRED
        self.mztabfb()
        self.mlstjahr()
        self.lstoso = self.st * HUNDRED

    def mre4sonst(self) -> None:
        """Page 37: the same with the other payment added."""
        i = self.i
        self.mre4()
        self.fvb = self.fvbso
        self.mre4abz()
        self.zre4vp = self.zre4vp + i.mbv / HUNDRED - i.jre4ent / HUNDRED - i.sonstent / HUNDRED
        self.fvbz = self.fvbzso
        self.mztabfb()

    def uptab(self) -> None:
        """Page 38: the income-tax tariff of § 32a Abs. 1 EStG on X, times KZTAB for splitting."""
        t, x = self.tariff, self.x
        if x < self.gfb + ONE:
            self.st = ZERO
        elif x < t.zone3_from:
            self.y = _down((x - self.gfb) / TEN_THOUSAND, 6)
            self.rw = self.y * t.zone2_factor + t.zone2_base
            self.st = _down(self.rw * self.y, 0)
        elif x < t.zone4_from:
            self.y = _down((x - t.zone3_offset) / TEN_THOUSAND, 6)
            self.rw = (self.y * t.zone3_factor + t.zone3_base) * self.y
            self.st = _down(self.rw + t.zone3_constant, 0)
        elif x < t.zone5_from:
            self.st = _down(x * t.zone4_rate - t.zone4_deduction, 0)
        else:
            self.st = _down(x * t.zone5_rate - t.zone5_deduction, 0)
        self.st = self.st * Decimal(self.kztab)


def _required(value: Decimal | None) -> Decimal:
    """A figure that the year's programme needs; its absence is a data-file error caught by the tests."""
    if value is None:
        raise ValueError("the wage-tax data file lacks a figure this year's programme needs")
    return value
