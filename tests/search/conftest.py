"""Fixtures for the search suite: a migrated SQLite file, a small corpus, and both real backends.

The engines are tests/engines.py's: the ``elasticsearch`` backend needs the node at
``ESTATION_ELASTICSEARCH_URL``, and those tests FAIL when it does not answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from estation.db import make_engine, make_session_factory
from estation.jobs.models import Adjustment, EmployerStatus, EmploymentType, Shift, StartupKind, VacancyStatus
from estation.migrate import upgrade
from indexing.query import SearchBackend
from indexing.sync import rebuild
from tests.engines import BACKENDS, drop_backend, make_backend
from tests.factories import seed_places
from tests.search.factories import C1, C2, C3, FAR, create_employer, create_startup, create_vacancy

VECTOR_DIMS = 4


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "engine_restart: stops and restarts the real engine node; runs last")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that stop the node go last, so no other engine test runs while it is down.
    items.sort(key=lambda item: item.get_closest_marker("engine_restart") is not None)


def seeded_factory(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[sessionmaker[Session]]:
    """A migrated SQLite database of its own with the communities seeded; body of the db fixtures."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'estation.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        seed_places(s, whole_classification=True)
        s.commit()
    yield factory
    engine.dispose()


@pytest.fixture(scope="session")
def db_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    yield from seeded_factory(tmp_path_factory, "searchdb")


@dataclass
class Corpus:
    ids: dict[str, int]
    startups: dict[str, int]
    employers: dict[str, int]

    def names(self, ids: list[int], *, kind: str = "vacancy") -> list[str]:
        table = self.ids if kind == "vacancy" else self.startups
        back = {v: k for k, v in table.items()}
        return [back.get(i, f"?{i}") for i in ids]


@pytest.fixture(scope="session")
def corpus(db_factory: sessionmaker[Session]) -> Corpus:
    """Listings whose every field is chosen so that each filter and sort has a known answer."""
    with db_factory() as s:
        wuye = create_employer(s, name="济南甸柳物业服务有限公司")
        canteen = create_employer(s, name="甸柳社区食堂")
        home = create_employer(s, name="历下区家政服务中心")
        pending = create_employer(s, name="待审核公司", status=EmployerStatus.pending)
        v = {
            "clean": create_vacancy(
                s, employer=wuye, title="小区保洁员", description="负责楼道和公共区域清洁，工具由单位提供",
                occupation_code="4-09-08-01", community=C1, wage_min=2300, wage_max=2800, hours_per_day=6,
                days_per_week=6, employment_type=EmploymentType.part_time,
                demands={"standing_walking": 3, "lifting_carrying": 2}, adjustments=[Adjustment.flexible_hours.value],
                posted_days_ago=1),
            "guard": create_vacancy(
                s, employer=wuye, title="门卫", description="夜间值守，登记来访车辆", occupation_code="4-07-05-01",
                community=C2, wage_min=2600, wage_max=3200, hours_per_day=12, shift=Shift.night,
                demands={"standing_walking": 2, "seeing": 3}, posted_days_ago=3),
            "cook": create_vacancy(
                s, employer=canteen, title="食堂帮厨", description="协助厨师备菜、洗菜，保持后厨整洁",
                occupation_code="4-03-02-01", community=C1, wage_min=3000, wage_max=3600,
                demands={"standing_walking": 3, "lifting_carrying": 3}, posted_days_ago=2),
            "nanny": create_vacancy(
                s, employer=home, title="育婴员", description="照看社区托育点的婴幼儿", occupation_code="4-10-01-03",
                community=C3, wage_min=4000, wage_max=5000, demands={"standing_walking": 2, "speaking": 3},
                posted_days_ago=5),
            "knit": create_vacancy(
                s, employer=home, title="居家手工编织", description="在家完成手工编织，按件计酬", community=C2,
                wage_min=1500, wage_max=2500, hours_per_day=4, shift=Shift.flexible,
                employment_type=EmploymentType.hourly, home_based=True, demands={"fine_hand": 3},
                adjustments=[Adjustment.home_based.value, Adjustment.seated_work.value, Adjustment.flexible_hours.value],
                posted_days_ago=4),
            "cashier": create_vacancy(
                s, employer=canteen, title="超市收银员", description="负责收银和商品整理，保持店面清洁",
                occupation_code="4-01-02-04", community=C3, at=FAR, wage_min=2800, wage_max=3300,
                shift=Shift.rotating, demands={"standing_walking": 1, "seeing": 3},
                adjustments=[Adjustment.seated_work.value, Adjustment.step_free.value], posted_days_ago=0.5),
            "short": create_vacancy(
                s, employer=wuye, title="临时搬运工", description="超市到货卸车", community=C2, wage_min=2400,
                wage_max=2900, employment_type=EmploymentType.temporary, demands={"lifting_carrying": 4},
                valid_until=date.today() + timedelta(days=2), posted_days_ago=6),
            # Never found: closed, a draft, expired.
            "closed": create_vacancy(s, employer=wuye, title="保洁员（已招满）", status=VacancyStatus.closed),
            "draft": create_vacancy(s, employer=pending, title="保洁员（待审核）", status=VacancyStatus.draft),
            "expired": create_vacancy(s, employer=wuye, title="过期的保洁岗位",
                                      valid_until=date.today() - timedelta(days=1)),
        }
        st = {
            "shop": create_startup(s, title="甸柳社区临街商铺出租", kind=StartupKind.shop_space,
                                   description="适合开设便利店、早餐店", amount_yuan=3000, posted_days_ago=1),
            "loan": create_startup(s, title="创业担保贷款", kind=StartupKind.loan, community=C2,
                                   description="个人最高可贷30万元，财政贴息", amount_yuan=300000, posted_days_ago=2),
            "online": create_startup(s, title="居家电商创业项目", kind=StartupKind.project, community=C3,
                                     description="在家开网店，免费培训", home_based=True,
                                     occupation_codes=["4-01-02-03"], posted_days_ago=3),
        }
        s.commit()
        return Corpus(
            ids={k: x.id for k, x in v.items()}, startups={k: x.id for k, x in st.items()},
            employers={"wuye": wuye.id, "canteen": canteen.id, "home": home.id},
        )


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            db_factory: sessionmaker[Session], corpus: Corpus) -> Iterator[SearchBackend]:
    """A backend of each kind holding the corpus, built by the real rebuild path."""
    b = make_backend(request.param, tmp_path_factory.mktemp("index"))
    with db_factory() as s:
        counts = rebuild(s, b, vector_dims=VECTOR_DIMS, model_id="test-model")
        s.commit()
    assert counts == {"vacancy": 7, "startup": 3}
    for kind in ("vacancy", "startup"):
        b.refresh(kind)
    yield b
    drop_backend(b)


@pytest.fixture
def fresh_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    """An empty backend for tests that write; parametrise with ``indirect=True``."""
    b = make_backend(request.param, tmp_path)
    b.ensure_indexes(vector_dims=VECTOR_DIMS, model_id="test-model")
    yield b
    drop_backend(b)


@pytest.fixture
def db(db_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose writes are committed for real (the index must see them) and left in place."""
    with db_factory() as s:
        yield s
