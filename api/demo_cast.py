"""Who is who in the demo: a user for every role of a tenant, each acting with exactly the roles their token would
carry, and the people the demo recruits and employs (in China, Japan and Germany, named as people there are)."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.identity import service as identity
from domain.identity.model import NewUser
from domain.kernel.permissions import Role
from domain.kernel.principal import Principal, SystemActor

R = Role
SEEDER = SystemActor(subject="demo-seed")


class DemoSeedFailed(RuntimeError):
    """The demo could not be made as it should be; the seed stops and the operator reads why."""


@dataclass(frozen=True)
class StaffUser:
    subject: str
    display_name: str
    roles: tuple[Role, ...]
    timezone: str
    locale: str


#: The demo's staff. The admin is created first, as ``meridian tokens issue`` would; the admin adds the others.
STAFF = (
    StaffUser("demo-admin", "Alex Morgan", (R.TENANT_ADMIN, R.HR_ADMIN), "Europe/Berlin", "en"),
    StaffUser("demo-hr", "Li Na", (R.HR_ADMIN,), "Asia/Shanghai", "en"),
    StaffUser("demo-recruiter", "Chen Jie", (R.RECRUITER,), "Asia/Shanghai", "en"),
    StaffUser("demo-interviewer", "Jonas Weber", (R.INTERVIEWER,), "Europe/Berlin", "en"),
    StaffUser("demo-manager", "Tanaka Haruto", (R.HIRING_MANAGER,), "Asia/Tokyo", "en"),
    StaffUser("demo-preparer", "Zhou Min", (R.PAYROLL_PREPARER,), "Asia/Shanghai", "en"),
    StaffUser("demo-reviewer-1", "Sophie Keller", (R.PAYROLL_REVIEWER,), "Europe/Berlin", "en"),
    StaffUser("demo-reviewer-2", "Yamada Aoi", (R.PAYROLL_REVIEWER,), "Asia/Tokyo", "en"),
    StaffUser("demo-auditor", "Priya Nair", (R.AUDITOR,), "Asia/Singapore", "en"),
)


@dataclass(frozen=True)
class Cast:
    tenant_id: UUID
    staff: dict[str, StaffUser]
    user_ids: dict[str, UUID]

    def as_user(self, subject: str) -> Principal:
        """The principal the user's own token would give."""
        user = self.staff[subject]
        return Principal(tenant_id=self.tenant_id, subject=subject, roles=frozenset(user.roles), locale=user.locale,
                         timezone=user.timezone)

    @property
    def admin(self) -> Principal:
        return self.as_user("demo-admin")

    @property
    def hr(self) -> Principal:
        return self.as_user("demo-hr")

    @property
    def recruiter(self) -> Principal:
        return self.as_user("demo-recruiter")

    @property
    def interviewer(self) -> Principal:
        return self.as_user("demo-interviewer")

    @property
    def manager(self) -> Principal:
        return self.as_user("demo-manager")

    @property
    def preparer(self) -> Principal:
        return self.as_user("demo-preparer")

    @property
    def reviewers(self) -> tuple[Principal, Principal]:
        return self.as_user("demo-reviewer-1"), self.as_user("demo-reviewer-2")


async def cast_of(tenant_id: UUID) -> Cast:
    """The demo's staff as users of the tenant: created if absent, given their roles if they lack any."""
    first = STAFF[0]
    admin_view = await identity.ensure_user(SEEDER, tenant_id, first.subject, list(first.roles))
    ids = {first.subject: admin_view.id}
    cast = Cast(tenant_id=tenant_id, staff={user.subject: user for user in STAFF}, user_ids=ids)
    for user in STAFF[1:]:
        try:
            created = await identity.create_user(cast.admin, NewUser(
                subject=user.subject, display_name=user.display_name, roles=list(user.roles),
                timezone=user.timezone, locale=user.locale))
        except identity.SubjectTaken:
            created = await identity.ensure_user(SEEDER, tenant_id, user.subject, list(user.roles))
        ids[user.subject] = created.id
    return cast


# -- the people recruited and employed ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Home:
    country: str
    timezone: str
    locale: str
    interview_language: str
    surnames: tuple[str, ...]
    given: tuple[str, ...]
    #: how a full name is written there: (surname, given) -> name
    western_order: bool = False


HOMES = {
    "CN": Home("CN", "Asia/Shanghai", "zh_CN", "zh-CN", ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"),
               ("芳", "伟", "敏", "静", "磊", "艳", "浩", "欣", "涛", "颖", "杰", "琳")),
    "JP": Home("JP", "Asia/Tokyo", "ja", "ja", ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林"),
               ("由紀", "翔太", "美咲", "大輔", "陽菜", "健一", "さくら", "蓮", "愛", "拓海")),
    "DE": Home("DE", "Europe/Berlin", "en", "de", ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker",
                                                  "Hoffmann", "Koch"),
               ("Anna", "Lukas", "Mia", "Felix", "Lena", "Jonas", "Clara", "Paul", "Emma", "Noah"),
               western_order=True),
}


@dataclass(frozen=True)
class Person:
    full_name: str
    email: str
    country: str
    timezone: str
    locale: str
    interview_language: str
    birth_date: date


class People:
    """A deterministic supply of distinct people from each country, so a demo reads the same every time."""

    def __init__(self, seed: int) -> None:
        self._chance = random.Random(seed)
        self._names = {country: self._shuffled(home) for country, home in HOMES.items()}
        self._count = itertools.count(1)

    def _shuffled(self, home: Home) -> list[tuple[str, str]]:
        pairs = list(itertools.product(home.surnames, home.given))
        self._chance.shuffle(pairs)
        return pairs

    def next(self, country: str) -> Person:
        home = HOMES[country]
        surname, given = self._names[country].pop()
        number = next(self._count)
        name = f"{given} {surname}" if home.western_order else f"{surname}{given}"
        born = date(self._chance.randint(1978, 2000), self._chance.randint(1, 12), self._chance.randint(1, 28))
        return Person(full_name=name, email=f"candidate{number:03d}.{country.lower()}@demo.example.com",
                      country=country, timezone=home.timezone, locale=home.locale,
                      interview_language=home.interview_language, birth_date=born)
