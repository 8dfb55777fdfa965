"""The employer pages without a browser: friendly Chinese errors, preview without saving, staff review."""

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from estation.accounts.models import Role, User
from estation.identifiers import make_uscc
from estation.jobs.models import Employer, EmployerStatus, Vacancy, VacancyStatus
from tests.employer.conftest import csrf, make_company
from tests.factories import create_user

FORM = dict(title="社区食堂帮厨", occupation_code="", employment_type="part_time", shift="day", hours_per_day="6",
            days_per_week="5", openings="2", wage_min="2000", wage_max="2400", community_code="370102009001",
            address="甸柳新村第三社区食堂", demand_standing_walking="2", demand_lifting_carrying="2", demand_fine_hand="2",
            demand_seeing="2", demand_hearing="1", demand_speaking="1", demand_learning_memory="1",
            adjustments=["training", "seated_work"], description="洗菜配菜，午餐时段", valid_until="")


def _form(**kw) -> dict:
    data = dict(FORM, valid_until=(date.today() + timedelta(days=30)).isoformat())
    data.update(kw)
    return data


def test_registration_form_shows_chinese_errors_and_keeps_the_input(api) -> None:
    client = TestClient(api.app)
    token = csrf(client, "/employer/register")
    bad = make_uscc("91370102MA3CWEB01")
    bad = bad[:17] + ("1" if bad[17] != "1" else "2")
    r = client.post("/employer/register", data={
        "csrf_token": token, "uscc": bad, "name": "济南甸柳洗衣店", "contact_name": "冯女士", "contact_phone": "555",
        "address": "甸柳新村", "community_code": "370102009001", "staff_count": "5", "disabled_staff_grade12": "0",
        "disabled_staff_other": "0", "username": "xiyi", "password": "xiyi-password", "password_confirm": "other-pass",
    })
    assert r.status_code == 422
    assert "统一社会信用代码校验位不正确" in r.text
    assert "请填写11位手机号或带区号的固定电话" in r.text
    assert "两次输入的密码不一致" in r.text
    assert 'value="济南甸柳洗衣店"' in r.text and "xiyi-password" not in r.text


def test_registration_form_signs_the_new_employer_in(api, db) -> None:
    client = TestClient(api.app)
    token = csrf(client, "/employer/register")
    r = client.post("/employer/register", data={
        "csrf_token": token, "uscc": make_uscc("91370102MA3CWEB02"), "name": "济南甸柳洗衣店", "contact_name": "冯女士",
        "contact_phone": "13566667777", "address": "甸柳新村", "community_code": "370102009001", "staff_count": "5",
        "disabled_staff_grade12": "0", "disabled_staff_other": "0", "username": "xiyi-2", "password": "xiyi-password",
        "password_confirm": "xiyi-password",
    }, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/employer")
    home = client.get("/employer")
    assert "济南甸柳洗衣店" in home.text and "等待审核" in home.text
    assert db.scalar(select(User.role).where(User.username == "xiyi-2")) == Role.employer


def test_posting_form_errors_preview_and_save(api, db) -> None:
    with api.db() as s:
        company = make_company(s)
        s.commit()
    client = api.client_for(company.user)
    token = csrf(client, "/employer/vacancies/new")

    r = client.post("/employer/vacancies/new", data={**_form(wage_min="900"), "csrf_token": token, "action": "save"})
    assert r.status_code == 422
    assert "最低工资不得低于当地最低工资标准（按工时折算为每月1650元）" in r.text  # 2200 × 30/40 h
    assert re.search(r'id="wage_min"[^>]*aria-invalid="true"', r.text)

    r = client.post("/employer/vacancies/new", data={**_form(title="帮", hours_per_day="abc"), "csrf_token": token,
                                                    "action": "save"})
    assert r.status_code == 422 and "至少填写2个字" in r.text and "请填写数字" in r.text

    before = db.scalar(select(Vacancy.id).order_by(Vacancy.id.desc()).limit(1))
    r = client.post("/employer/vacancies/new", data={**_form(), "csrf_token": token, "action": "preview"})
    assert r.status_code == 200
    assert "居民在自助终端上看到的样子" in r.text and "2000–2400 元/月" in r.text
    assert "约一半时间站立走动" in r.text and "可坐姿工作" in r.text and "适合残疾人" in r.text
    db.rollback()
    assert db.scalar(select(Vacancy.id).order_by(Vacancy.id.desc()).limit(1)) == before  # preview saves nothing

    r = client.post("/employer/vacancies/new", data={**_form(occupation_code="4-03-02-01"), "csrf_token": token,
                                                    "action": "save"}, follow_redirects=False)
    assert r.status_code == 303
    vid = int(re.search(r"/employer/vacancies/(\d+)", r.headers["location"]).group(1))
    db.rollback()
    saved = db.get(Vacancy, vid)
    assert (saved.employer_id, saved.status, saved.demands["standing_walking"], sorted(saved.adjustments)) == \
        (company.employer.id, VacancyStatus.open, 2, ["seated_work", "training"])

    edit = client.get(f"/employer/vacancies/{vid}/edit")
    assert 'value="社区食堂帮厨"' in edit.text
    r = client.post(f"/employer/vacancies/{vid}/edit", data={**_form(title="社区食堂帮厨（午班）", wage_min="2100",
                                                                   occupation_code="4-03-02-01"),
                                                           "csrf_token": token, "action": "save"},
                    follow_redirects=False)
    assert r.status_code == 303
    db.rollback()
    assert (db.get(Vacancy, vid).title, db.get(Vacancy, vid).wage_min) == ("社区食堂帮厨（午班）", 2100)

    client.post(f"/employer/vacancies/{vid}/close", data={"csrf_token": token})
    db.rollback()
    assert db.get(Vacancy, vid).status == VacancyStatus.closed
    r = client.post(f"/employer/vacancies/{vid}/renew", data={"csrf_token": token, "valid_until": ""})
    assert r.status_code == 422 and "请选择新的有效期日期" in r.text
    client.post(f"/employer/vacancies/{vid}/renew", data={"csrf_token": token,
                                                          "valid_until": (date.today() + timedelta(days=45)).isoformat()})
    db.rollback()
    assert db.get(Vacancy, vid).status == VacancyStatus.open


def test_occupation_suggestions_are_listed_on_the_form(api) -> None:
    with api.db() as s:
        company = make_company(s)
        s.commit()
    client = api.client_for(company.user)
    token = csrf(client, "/employer/vacancies/new")
    r = client.post("/employer/vacancies/new", data={**_form(title="小区保安"), "csrf_token": token, "action": "preview"})
    assert 'value="4-07-05-01"' in r.text and "保安员" in r.text


def test_staff_review_page_approves_and_refuses_with_a_reason(api, db) -> None:
    with api.db() as s:
        one = make_company(s, status=EmployerStatus.pending)
        two = make_company(s, status=EmployerStatus.pending)
        staff = create_user(s, role=Role.counter_staff)
        s.commit()
    client = api.client_for(staff)
    assert client.get("/employer", follow_redirects=False).headers["location"] == "/employer/review"
    page = client.get("/employer/review")
    assert one.employer.name in page.text and two.employer.name in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post(f"/employer/review/{one.employer.id}", data={"csrf_token": token, "decision": "approve"})
    r = client.post(f"/employer/review/{two.employer.id}", data={"csrf_token": token, "decision": "refuse"})
    assert r.status_code == 422 and "不予通过时请填写原因" in r.text
    client.post(f"/employer/review/{two.employer.id}", data={"csrf_token": token, "decision": "refuse",
                                                            "reason": "地址不在本街道"})
    db.rollback()
    assert db.get(Employer, one.employer.id).status == EmployerStatus.approved
    assert db.get(Employer, two.employer.id).refusal_reason == "地址不在本街道"
    assert "地址不在本街道" in api.client_for(two.user).get("/employer").text


def test_quota_page_shows_the_shortfall_and_refuses_impossible_counts(api) -> None:
    with api.db() as s:
        company = make_company(s, demands={"standing_walking": 0}, adjustments=["seated_work"])
        s.commit()
    client = api.client_for(company.user)
    token = csrf(client, "/employer/quota")
    client.post("/employer/quota", data={"csrf_token": token, "staff_count": "150", "disabled_staff_grade12": "0",
                                         "disabled_staff_other": "0"})
    page = client.get("/employer/quota").text
    assert "150 × 1.5% = 2.25 人" in page and "还需安排 <strong>3</strong> 名残疾职工" in page
    assert "适合残疾人" in page
    r = client.post("/employer/quota", data={"csrf_token": token, "staff_count": "2", "disabled_staff_grade12": "2",
                                             "disabled_staff_other": "1"})
    assert r.status_code == 422 and "残疾职工人数不能超过在职职工总数" in r.text


def test_candidates_page_moves_an_applicant_to_hired(api) -> None:
    from estation.jobs import service
    from tests.factories import create_resident

    with api.db() as s:
        company = make_company(s)
        resident = create_resident(s, name="郑桂英", phone="13612345678")
        application = service.apply(s, resident=resident, vacancy=company.vacancy, by_user_id=None)
        s.commit()
    client = api.client_for(company.user)
    page = client.get(f"/employer/vacancies/{company.vacancy.id}/candidates")
    assert "郑桂英" in page.text and "13612345678" in page.text and "推荐" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    url = f"/employer/applications/{application.id}/status"
    r = client.post(url, data={"csrf_token": token, "status": "not_hired"})
    assert r.status_code == 422 and "未录用时请说明原因" in r.text
    client.post(url, data={"csrf_token": token, "status": "contacted"})
    r = client.post(url, data={"csrf_token": token, "status": "hired"})
    assert r.status_code == 422 and "录用请填写上岗日期" in r.text  # a hire has its own form
    client.post(url, data={"csrf_token": token, "status": "not_hired", "reason": "岗位已招满"})
    page = client.get(f"/employer/vacancies/{company.vacancy.id}/candidates").text
    assert "未录用" in page and "岗位已招满" in page and "已结束" in page


def test_the_employer_is_told_which_occupation_the_system_read_from_the_title(api) -> None:
    with api.db() as s:
        company = make_company(s, title="小区门卫", occupation_code=None)
        company.vacancy.inferred_occupation_code = "4-07-05-01"  # as the index writer sets it (tests/matching)
        s.commit()
        vacancy_id = company.vacancy.id
    client = api.client_for(company.user)
    page = client.get(f"/employer/vacancies/{vacancy_id}").text
    assert "系统根据岗位名称把它归为“保安员”" in page and "请点“修改”选择" in page
    with api.db() as s:
        s.get(Vacancy, vacancy_id).occupation_code = "4-07-05-01"  # the employer's own choice: no notice
        s.commit()
    assert "系统根据岗位名称" not in client.get(f"/employer/vacancies/{vacancy_id}").text
