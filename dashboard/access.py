"""The signed-in user of a dashboard session and their role (rules: ``core.access``).

With sign-in configured (``[auth]`` in the secrets file) a visitor who is not signed in sees only the
sign-in button (Streamlit's ``st.login``: OpenID Connect with the team's identity provider); a signed-in
user the settings do not allow sees only that and a sign-out button. Without sign-in the local user is
the editor (the dashboard then listens on loopback only, see ``riskwatch dashboard``).
"""

from __future__ import annotations

import streamlit as st

from core.access import Identity, auth_configured, local_identity, role_of
from core.settings import Settings


def identity() -> Identity:
    """Who is using this session; stops the page (showing sign-in) until someone allowed is signed in."""
    settings = Settings()
    if not auth_configured(settings):
        return local_identity(settings)
    if not st.user.is_logged_in:
        st.title("riskwatch")
        st.write("Sign in with your organisation's account to see the dashboard.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    email = st.user.get("email")
    groups = st.user.get(settings.dashboard_groups_claim) or []
    role = role_of(settings, email=email, groups=groups if isinstance(groups, list) else [groups])
    if role is None:
        st.error(f"{email or 'This account'} is not allowed to view riskwatch. Ask an administrator.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return Identity(email, role, "oidc")


def sidebar(user: Identity) -> None:
    """Who is signed in, with which role (and sign-out when signed in through the identity provider)."""
    with st.sidebar:
        st.caption(f"{user.actor} · {user.role}")
        if user.how == "oidc":
            st.button("Sign out", on_click=st.logout)
