"""`estation match resident|household|vacancy` against a real database, index and model."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from typer.testing import CliRunner

from estation.accounts.models import AccessLog
from estation.config import Settings, get_settings
from estation.db import make_engine, make_session_factory
from estation.matching.evaluation.harness import seed_jobs, seed_startups
from estation.matching.evaluation.jobs import job_specs
from estation.matching.vectors import listing_vectors
from estation.migrate import upgrade
from indexing.embedded import EmbeddedBackend
from indexing.sync import rebuild
from tests.factories import create_household, create_resident

KINDS = ("cashier", "sales", "doorman", "canteen_cook")


def test_match_commands_print_explained_results(tmp_path, monkeypatch, encoder, occupation_index,
                                                 model_cache_dir) -> None:
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

