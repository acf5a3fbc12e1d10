"""Who may see and change what in the dashboard: one home for the roles.

Without sign-in configured the dashboard serves only the loopback interface and the one local user (the
operating system's user) is the editor. With sign-in (Streamlit's OpenID Connect support, the ``[auth]``
section of the secrets file) every signed-in user may view; editors are named by e-mail address, by
``@domain`` or by a value of the ID token's groups claim (settings ``dashboard_editors``,
``dashboard_editor_groups``); ``dashboard_viewers`` can restrict who may sign in at all. An
unauthenticated non-loopback dashboard (only when explicitly allowed) has viewers only.
"""

from __future__ import annotations

import getpass
import ipaddress
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.settings import PROJECT_ROOT, Settings

VIEWER, EDITOR = "viewer", "editor"


@dataclass(frozen=True)
class Identity:
    actor: str  # who, as the audit trail records it: an e-mail address, or "os:<user>" for the local user
    role: str | None  # editor | viewer | None (signed in, but not allowed to view)
    how: str  # oidc | local | anonymous

    @property
    def can_edit(self) -> bool:
        return self.role == EDITOR

    @property
    def can_view(self) -> bool:
        return self.role in (VIEWER, EDITOR)


def secrets_file(settings: Settings) -> Path:
    return settings.dashboard_secrets or PROJECT_ROOT / ".streamlit" / "secrets.toml"


def auth_configured(settings: Settings) -> bool:
    """Whether the secrets file has an ``[auth]`` section (sign-in is on)."""
    path = secrets_file(settings)
    if not path.is_file():
        return False
    try:
        return bool(tomllib.loads(path.read_text(encoding="utf-8")).get("auth"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: not readable as TOML ({exc})") from None


def is_loopback(address: str) -> bool:
    if address in ("localhost", ""):
        return address == "localhost"
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def serving_problem(settings: Settings) -> str | None:
    """Why the dashboard must not start with these settings, or None."""
    address = settings.dashboard_address
    if is_loopback(address) or auth_configured(settings) or settings.dashboard_allow_unauthenticated:
        return None
    return (
        f"refusing to serve the dashboard on {address}: anyone on that network could read every page and no "
        f"sign-in is configured (no [auth] in {secrets_file(settings)}). Configure OpenID Connect sign-in (README, "
        "Team deployment), bind to 127.0.0.1, or set RISKWATCH_DASHBOARD_ALLOW_UNAUTHENTICATED=true (viewers only)."
    )


def os_actor() -> str:
    """The local user, as the audit trail names a change made from the CLI or the local dashboard."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"


def _names(value: str) -> list[str]:
    return [v.strip().casefold() for v in value.split(",") if v.strip()]


def _matches(email: str, allowed: list[str]) -> bool:
    email = email.casefold()
    return any(email == a or (a.startswith("@") and email.endswith(a)) for a in allowed)


def role_of(settings: Settings, *, email: str | None, groups: list[str] | None = None) -> str | None:
    """A signed-in user's role from the settings (None: not allowed to view)."""
    if not email:
        return None
    viewers = _names(settings.dashboard_viewers)
    if _matches(email, _names(settings.dashboard_editors)) or (
        {g.casefold() for g in groups or []} & set(_names(settings.dashboard_editor_groups))
    ):
        return EDITOR
    if viewers and not _matches(email, viewers):
        return None
    return VIEWER


def local_identity(settings: Settings) -> Identity:
    """Who uses a dashboard without sign-in: the local editor on loopback, else an anonymous viewer."""
    if is_loopback(settings.dashboard_address):
        return Identity(os_actor(), EDITOR, "local")
    return Identity("anonymous", VIEWER, "anonymous")
