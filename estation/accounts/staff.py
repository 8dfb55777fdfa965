"""Accounts an admin looks after: staff created by the operator (and employers' own accounts), their post
(role, window, community), disabling and password resets. Every change is written to the access log.
Services only flush."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.accounts.passwords import check_password_strength, hash_password
from estation.accounts.service import end_user_sessions, log_access
from estation.errors import Conflict, InvalidInput, NotFound
from estation.jobs.schemas import Username
from estation.labour.models import Community

STAFF_ROLES = (Role.admin, Role.counter_staff, Role.community_staff, Role.cadre, Role.leader)
"""Accounts made by an operator; residents sign in with their id card, employers register themselves."""
MANAGED_ROLES = (*STAFF_ROLES, Role.employer)
"""Accounts listed on the admin's user screen (a resident's kiosk PIN is set at the counter)."""
MAX_WINDOW = 99
MAX_NAME = 40
MIN_REASON, MAX_REASON = 2, 200


def _what(account: User) -> str:
    return f"账号 {account.username}（{account.display_name}）"


def _audit(session: Session, *, by: User | None, account: User, action: str, reason: str) -> None:
    log_access(session, user=by, resident_id=None, action=action, what=_what(account)[:120], reason=reason[:200])


def _check_post(session: Session, *, role: Role, window: int | None, community_code: str | None) -> None:
    """A counter account names its window, a community or leader account its community (InvalidInput naming it)."""
    if role not in STAFF_ROLES:
        raise InvalidInput("这里只建工作人员账号", field="role")
    if window is not None and not 1 <= window <= MAX_WINDOW:
        raise InvalidInput(f"窗口号应为1到{MAX_WINDOW}之间的整数", field="window")
    if role is Role.counter_staff and not window:
        raise InvalidInput("窗口工作人员要写明窗口号", field="window")
    if role in (Role.community_staff, Role.leader) and community_code is None:
        raise InvalidInput("社区工作人员和社区领导要写明所在社区", field="community_code")
    if community_code is not None and session.get(Community, community_code) is None:
        raise InvalidInput("社区代码不存在", field="community_code")


def _display_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise InvalidInput("请填写姓名", field="display_name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"姓名不要超过{MAX_NAME}个字", field="display_name")
    return name


def create_staff_account(session: Session, *, username: str, password: str, role: Role, display_name: str,
                         window: int | None = None, community_code: str | None = None,
                         by: User | None = None) -> User:
    """A staff account; refuses a malformed or taken username, a weak password, a counter account without
    its window and a community account without its community (InvalidInput naming the field). Logged as
    made ``by`` the admin (None: the command line)."""
    try:
        TypeAdapter(Username).validate_python(username)
    except ValidationError:
        raise InvalidInput("用户名应为3-40位字母、数字、下划线、点或减号", field="username") from None
    name = _display_name(display_name)
    _check_post(session, role=role, window=window, community_code=community_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(f"用户名 {username} 已被其他账号使用", field="username")
    check_password_strength(password, username=username)
    user = User(username=username, display_name=name, password_hash=hash_password(password), role=role,
                active=True, window=window, community_code=community_code)
    session.add(user)
    session.flush()
    _audit(session, by=by, account=user, action="create_account", reason=f"新建{role.label}账号")
    return user


def accounts(session: Session, *, role: Role | None = None, active: bool | None = None, text: str = "") -> list[User]:
    """The managed accounts (staff and employers), staff first by role, then by name."""
    stmt = select(User).where(User.role.in_(MANAGED_ROLES))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    text = text.strip()
    if text:
        pattern = f"%{text}%"
        stmt = stmt.where(User.username.ilike(pattern) | User.display_name.ilike(pattern))
    rows = list(session.scalars(stmt.order_by(User.username)))
    order = {r: i for i, r in enumerate(MANAGED_ROLES)}
    return sorted(rows, key=lambda u: (not u.active, order[u.role], u.display_name))


def get_account(session: Session, account_id: int) -> User:
    """A managed account, or NotFound (a resident's account is not managed here)."""
    user = session.get(User, account_id)
    if user is None or user.role not in MANAGED_ROLES:
        raise NotFound("账号不存在")
    return user


def active_with_role(session: Session, role: Role) -> list[User]:
    """The active accounts of a role, by name (who can be paired, assigned, ...)."""
    return list(session.scalars(select(User).where(User.role == role, User.active.is_(True))
                                .order_by(User.display_name, User.id)))


def _post_words(role: Role, window: int | None, community: str | None) -> str:
    words = role.label
    if window:
        words += f"，{window}号窗口"
    if community:
        words += f"，{community}"
    return words


def set_post(session: Session, *, account: User, role: Role, display_name: str, window: int | None,
             community_code: str | None, by: User) -> User:
    """Change a staff account's name, role, window and community (the same rules as a new account)."""
    if account.role not in STAFF_ROLES:
        raise InvalidInput("用人单位账号不能改为工作人员账号", field="role")
    name = _display_name(display_name)
    _check_post(session, role=role, window=window, community_code=community_code)
    if account.id == by.id and role is not Role.admin:
        raise InvalidInput("不能取消自己的管理员身份，请由另一位管理员操作", field="role")
    names = {c.code: c.short_name for c in session.scalars(select(Community))}
    before = _post_words(account.role, account.window, names.get(account.community_code or ""))
    after = _post_words(role, window, names.get(community_code or ""))
    if before == after and name == account.display_name:
        raise InvalidInput("没有改动：姓名、角色、窗口和社区都和原来一样", field="role")
    account.display_name, account.role, account.window, account.community_code = name, role, window, community_code
    session.flush()
    _audit(session, by=by, account=account, action="change_post",
           reason=f"调整岗位：{before} → {after}" if before != after else "修改姓名")
    return account


def _reason(value: str) -> str:
    reason = value.strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise InvalidInput(f"请写明原因（{MIN_REASON}到{MAX_REASON}个字）", field="reason")
    return reason


def disable(session: Session, *, account: User, reason: str, by: User) -> User:
    """Stop the account signing in (its sessions end at once); the account and its records stay."""
    why = _reason(reason)
    if not account.active:
        raise Conflict("这个账号已经停用了", field="reason")
    if account.id == by.id:
        raise InvalidInput("不能停用自己的账号", field="reason")
    account.active = False
    end_user_sessions(session, user=account)
    session.flush()
    _audit(session, by=by, account=account, action="disable_account", reason=f"停用：{why}")
    return account


def enable(session: Session, *, account: User, reason: str, by: User) -> User:
    why = _reason(reason)
    if account.active:
        raise Conflict("这个账号正在使用，不用恢复", field="reason")
    account.active = True
    session.flush()
    _audit(session, by=by, account=account, action="enable_account", reason=f"恢复使用：{why}")
    return account


def reset_password(session: Session, *, account: User, password: str, by: User, keep_token: str | None = None) -> User:
    """Set a new password (the rules of a new account); the account's other sessions end."""
    check_password_strength(password, username=account.username)
    account.password_hash = hash_password(password)
    end_user_sessions(session, user=account, keep_token=keep_token if account.id == by.id else None)
    session.flush()
    _audit(session, by=by, account=account, action="reset_password", reason="管理员重置密码")
    return account
