"""`estation match resident|household|vacancy` against a real database, index and model."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from estation.accounts.kiosk import set_pin
from estation.accounts.models import AccessLog
from estation.config import Settings, get_settings
from estation.db import make_engine, make_session_factory, utcnow
from estation.labour.models import Resident
from estation.matching.evaluation.harness import seed_jobs, seed_startups
from estation.matching.evaluation.jobs import job_specs
from estation.matching.vectors import listing_vectors
from estation.migrate import upgrade
from indexing.embedded import EmbeddedBackend
from indexing.sync import rebuild
from tests.conftest import ApiHarness
from tests.factories import create_household, create_resident
from tests.kiosk.conftest import PIN, sign_in
from tests.kiosk.loop import plain

KINDS = ("cashier", "sales", "doorman", "canteen_cook")


def _cli_world(tmp_path, monkeypatch, encoder, occupation_index, model_cache_dir) -> tuple:
    """A migrated database with jobs, start-ups and 孙玉梅 (in a household, shown to employers), its index built,
    and the environment the CLI reads pointing at them: (url, session factory, vacancy refs, her id, household id)."""
    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as s:
        refs = seed_jobs(s, today=date.today(), specs=[j for j in job_specs() if j.archetype in KINDS])
        seed_startups(s)
        household = create_household(s)
        person = create_resident(s, household=household, name="孙玉梅", work_capacity="partial",
                                 limits={"standing_walking": 1}, skills="收银、点钞", experience="超市收银员",
                                 consent_to_employers=True)
        s.commit()
        person_id, household_id = person.id, household.id
    settings = Settings(database_url=url, var_dir=tmp_path, environment="test")
    backend = EmbeddedBackend(tmp_path / "search.sqlite3", prefix=settings.index_prefix)
    with factory() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id, vectors=listing_vectors(encoder))
        s.commit()
    backend.close()
    monkeypatch.setenv("ESTATION_DATABASE_URL", url)
    monkeypatch.setenv("ESTATION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ESTATION_ENVIRONMENT", "test")
    # The model is the real one, already loaded by the suite: the CLI's composition takes it from the
    # process's cache of encoders (same model settings).
    monkeypatch.setenv("ESTATION_MODEL_CACHE_DIR", str(model_cache_dir))
    get_settings.cache_clear()
    occ_dir = tmp_path / "occupations"
    occupation_index.save(occ_dir)
    return url, factory, refs, person_id, household_id


def test_match_commands_print_explained_results(tmp_path, monkeypatch, encoder, occupation_index,
                                                 model_cache_dir) -> None:
    _, factory, refs, person_id, household_id = _cli_world(tmp_path, monkeypatch, encoder, occupation_index,
                                                           model_cache_dir)
    from estation.cli import app

    try:
        cli = CliRunner()
        out = cli.invoke(app, ["match", "resident", str(person_id), "--limit", "3"])
        assert out.exit_code == 0, out.output
        assert "超市收银员" in out.output and "站立行走" in out.output and "排除了" in out.output
        assert "服装店导购" not in out.output
        out = cli.invoke(app, ["match", "household", str(household_id)])
        assert out.exit_code == 0, out.output
        assert "孙**" in out.output and "孙玉梅" not in out.output
        out = cli.invoke(app, ["match", "vacancy", str(refs["cashier/near"])])
        assert out.exit_code == 0, out.output
        assert "孙**" in out.output
        out = cli.invoke(app, ["match", "resident", "999999"])
        assert out.exit_code == 1 and "不存在" in out.output
    finally:
        get_settings.cache_clear()
    with factory() as s:
        logged = s.scalar(select(func.count()).select_from(AccessLog).where(AccessLog.resident_id == person_id))
    assert logged == 3  # resident, household member, vacancy candidate: each read is logged



def test_a_match_run_on_the_server_is_shown_to_the_resident_as_the_systems(tmp_path, monkeypatch, encoder,
                                                                          occupation_index, model_cache_dir) -> None:
    """`estation match` runs with nobody signed in: its rows are the system's, and the resident's 谁看过我的信息
    shows them in plain words, with a row stored the old way ("anonymous", 命令行查询) as well."""
    url, factory, refs, person_id, household_id = _cli_world(tmp_path, monkeypatch, encoder, occupation_index,
                                                             model_cache_dir)
    from estation.cli import app

    with factory() as s:
        resident = s.get(Resident, person_id)
        set_pin(s, resident=resident, pin=PIN)
        id_number = resident.id_number
        s.add(AccessLog(at=utcnow() - timedelta(days=3), user_id=None, role="anonymous", resident_id=person_id,
                        action="match", what="岗位匹配", reason="命令行查询（工作人员）"))
        s.commit()
    try:
        cli = CliRunner()
        for args in (["resident", str(person_id)], ["household", str(household_id)],
                     ["vacancy", str(refs["cashier/near"])]):
            out = cli.invoke(app, ["match", *args])
            assert out.exit_code == 0, out.output
    finally:
        get_settings.cache_clear()
    with factory() as s:
        written = s.execute(select(AccessLog.user_id, AccessLog.role).where(
            AccessLog.resident_id == person_id, AccessLog.role != "anonymous")).all()
    assert written == [(None, "system")] * 3

    kiosk = TestClient(ApiHarness(url, tmp_path).app, follow_redirects=False)
    sign_in(kiosk, id_number)
    page = kiosk.get("/kiosk/me/readers")
    assert page.status_code == 200, page.text
    text = plain(page.text)
    assert text.count("系统后台用您的求职信息匹配岗位（岗位匹配）") == 2  # this run's and the old row
    assert "系统后台用您的求职信息匹配岗位（家庭成员岗位匹配）" in text
    assert "系统后台用您的求职信息匹配岗位（岗位匹配人选）" in text
    assert text.count("原因：工作人员在系统后台查询") == 4 and "命令行" not in text
    words = text.split(">", 1)[1]  # plain() keeps the <main> tag's attributes
    assert not re.search(r"[A-Za-z]", words), words  # no code, id or English word
