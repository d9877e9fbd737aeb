"""Placeholder until its issue lands: an honest "not built yet" state, no fake data."""

import streamlit as st

from console import auth
from console.i18n import t

auth.require_role(*auth.SUPERVISORS)
st.title(t("nav.statistics"))
st.info(t("common.not_built_yet"))
