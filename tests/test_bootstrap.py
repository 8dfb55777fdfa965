"""`estation init` bootstraps a real instance and `estation demo` refuses production (issue 13, point 1).

Run as an operator runs them: the installed command in its own process, on a fresh SQLite file, with
nothing but ESTATION_* variables (and, for the prompt, a real terminal).
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select as sql_select
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.accounts.passwords import check_password_strength, verify_password
from estation.cases.models import ServiceType
from estation.errors import InvalidInput
from estation.jobs.models import Occupation
from estation.labour.models import Community, Resident, Subdistrict
from estation.migrate import upgrade

ESTATION = str(Path(sys.executable).with_name("estation"))
KEYS = {"ESTATION_DATA_KEY": "d-" + "8" * 40}
STRONG = "Dianliu-hall-2026!"
TABLES = (Occupation, Subdistrict, Community, ServiceType, User, Resident)


@pytest.fixture
def instance(tmp_path: Path) -> dict[str, str]:
    """A production environment on a fresh, migrated SQLite file (as in the Dockerfile)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATION_")}
    env |= KEYS | {"ESTATION_ENVIRONMENT": "production", "ESTATION_VAR_DIR": str(tmp_path / "var"),
                   "COLUMNS": "200"}
    (tmp_path / "var").mkdir()
    upgrade(f"sqlite:///{tmp_path / 'var' / 'estation.sqlite3'}")  # what `estation migrate` does
    return env


def run(env: dict[str, str], cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([ESTATION, *args], env=env | extra, cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300, check=False)


def database(env: dict[str, str]) -> Session:
    return Session(create_engine(f"sqlite:///{env['ESTATION_VAR_DIR']}/estation.sqlite3"))


def counts(env: dict[str, str]) -> dict[str, int]:
    with database(env) as s:
        return {t.__tablename__: s.scalar(sql_select(func.count()).select_from(t)) for t in TABLES}


def test_init_loads_the_reference_data_and_one_admin_and_a_second_run_changes_nothing(instance, tmp_path) -> None:
    first = run(instance, tmp_path, "init", ESTATION_ADMIN_USERNAME="liuwei", ESTATION_ADMIN_PASSWORD=STRONG)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "已创建管理员账号 liuwei" in first.stdout and "Traceback" not in first.stderr
    after_first = counts(instance)
    assert after_first["occupation"] > 1000 and after_first["subdistrict"] == 1 and after_first["community"] == 8
    assert after_first["service_type"] == 7
    assert after_first["app_user"] == 1 and after_first["resident"] == 0  # no demo people, no demo accounts
    with database(instance) as s:
        admin = s.scalar(sql_select(User))
        assert (admin.username, admin.role, admin.active) == ("liuwei", Role.admin, True)
        assert verify_password(admin.password_hash, STRONG)
        first_hash = admin.password_hash

    # again, even with other credentials set: nothing changes, never a second admin
    second = run(instance, tmp_path, "init", ESTATION_ADMIN_USERNAME="other", ESTATION_ADMIN_PASSWORD="Another-strong-77")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "已有管理员账号 liuwei，不再新建" in second.stdout and "没有改动" in second.stdout
    assert counts(instance) == after_first
    with database(instance) as s:
        assert s.scalar(sql_select(User.password_hash)) == first_hash


def test_init_refuses_a_weak_admin_password_and_creates_no_one(instance, tmp_path) -> None:
    for password, reason in (("short-pw1", "密码至少要10位"), ("password12", "这个密码太常见")):
        result = run(instance, tmp_path, "init", ESTATION_ADMIN_USERNAME="liuwei", ESTATION_ADMIN_PASSWORD=password)
        assert result.returncode == 1
        assert reason in result.stdout and "Traceback" not in result.stderr
        assert counts(instance)["app_user"] == 0
    assert counts(instance)["community"] == 8  # the reference data is in all the same


def test_init_without_a_password_or_a_terminal_says_what_to_set(instance, tmp_path) -> None:
    result = run(instance, tmp_path, "init")
    assert result.returncode == 1
    assert "ESTATION_ADMIN_PASSWORD" in result.stdout
    assert counts(instance)["app_user"] == 0


def test_init_at_a_terminal_asks_until_the_password_is_strong(instance, tmp_path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the operator's shell running `estation init`
        try:
            os.chdir(tmp_path)
            os.execve(ESTATION, [ESTATION, "init"], instance)
        finally:
            os._exit(127)
    screen = Terminal(fd)
    screen.expect("管理员用户名")
    screen.send("zhaomin")
    for password in ("dianliu12", STRONG):  # the first is too short: asked again
        # the space comes after echo is off (getpass flushes anything typed before it)
        screen.expect("管理员密码（至少10位，不能是常见密码）: ")
        screen.send(password)
        screen.expect("再输入一次密码: ")
        screen.send(password)
    screen.expect("已创建管理员账号 zhaomin")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "密码至少要10位" in screen.text
    assert STRONG not in screen.text and "dianliu12" not in screen.text  # typed unseen
    with database(instance) as s:
        admin = s.scalar(sql_select(User))
        assert admin.username == "zhaomin" and verify_password(admin.password_hash, STRONG)


def test_demo_refuses_production_with_a_clear_message(instance, tmp_path) -> None:
    result = run(instance, tmp_path, "demo")
    assert result.returncode == 1
    assert "ESTATION_ENVIRONMENT=production" in result.stdout and "estation init" in result.stdout
    assert counts(instance) == {t.__tablename__: 0 for t in TABLES}  # nothing loaded, not even in part


def test_every_command_refuses_the_development_keys_in_production(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATION_")}
    env |= {"ESTATION_ENVIRONMENT": "production", "ESTATION_VAR_DIR": str(tmp_path / "var"), "COLUMNS": "200"}
    for command in ("migrate", "init", "demo", "serve"):
        result = run(env, tmp_path, command)
        assert result.returncode == 2, command
        assert "ESTATION_DATA_KEY" in result.stdout, command
        assert "Traceback" not in result.stdout + result.stderr, command
    assert not (tmp_path / "var" / "estation.sqlite3").exists()


@pytest.mark.parametrize("password", ["Dianliu-hall-2026!", "甸柳街道为民服务大厅二号窗口"])
def test_a_strong_password_passes(password: str) -> None:
    check_password_strength(password, username="admin")


@pytest.mark.parametrize(("password", "reason"), [
    ("short-pw1", "至少要10位"),
    ("1234567890", "太常见"),
    ("QWERTYUIOP", "太常见"),  # the list is compared case-insensitively
    ("zzzzzzzzzzzz", "太常见"),
    ("Liuwei-2026-hall", "不能包含用户名"),
])
def test_a_weak_password_is_refused_naming_the_field(password: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as refused:
        check_password_strength(password, username="liuwei", field="new_password")
    assert refused.value.field == "new_password"


class Terminal:
    """The operator's side of a pseudo-terminal: read what is printed, type answers."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.text = ""
        self.seen = 0
        """How far expect() has read: each prompt is waited for after the previous one."""

    def expect(self, wanted: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while wanted not in self.text[self.seen:]:
            left = deadline - time.monotonic()
            assert left > 0, f"{wanted!r} never appeared in {self.text!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                assert chunk, f"{wanted!r} never appeared in {self.text!r}"
                self.text += chunk.decode("utf-8", "replace")
        self.seen = self.text.index(wanted, self.seen) + len(wanted)

    def send(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())


def test_user_add_makes_staff_accounts_with_strong_passwords_only(instance, tmp_path) -> None:
    """After init, the operator makes the hall's accounts from the command line (the password asked twice)."""
    def add(*args: str, password: str = STRONG) -> subprocess.CompletedProcess:
        return subprocess.run([ESTATION, "user", "add", *args], env=instance, cwd=tmp_path, capture_output=True,
                              text=True, input=f"{password}\n{password}\n", timeout=300, check=False)

    assert run(instance, tmp_path, "init", ESTATION_ADMIN_PASSWORD=STRONG).returncode == 0
    made = add("wangfang", "--role", "counter_staff", "--name", "王芳", "--window", "2")
    assert made.returncode == 0 and "已建账号 wangfang" in made.stdout, made.stdout + made.stderr
    refused = [
        (add("lijing", "--role", "counter_staff", "--name", "李静", "--window", "3", password="password12"),
         "这个密码太常见"),
        (add("lijing", "--role", "counter_staff", "--name", "李静"), "窗口号"),
        (add("lijing", "--role", "community_staff", "--name", "李静", "--community", "370102009999"), "社区代码不存在"),
        (add("wangfang", "--role", "cadre", "--name", "王芳"), "已被其他账号使用"),
    ]
    for result, reason in refused:
        assert result.returncode == 1 and reason in result.stdout, result.stdout + result.stderr
    with database(instance) as s:
        users = {u.username: u for u in s.scalars(sql_select(User))}
    assert set(users) == {"admin", "wangfang"}  # nothing half-made by the refusals
    clerk = users["wangfang"]
    assert (clerk.role, clerk.window, clerk.display_name) == (Role.counter_staff, 2, "王芳")
    assert verify_password(clerk.password_hash, STRONG)
