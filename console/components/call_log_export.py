"""The supervisors' export of the filtered call log (CSV or XLSX), made on request and then offered
for download. Personal data only when ticked; the export and that choice go to the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import streamlit as st

from advisory import access
from console import guard
from console.i18n import fmt_number, t, tn
from db.engine import session_scope
from services.accounts import StaffUser
from services.call_log import CallFilters
from services.exports import EXPORT_MAX_AGE_SECONDS, MIME_TYPES, export_to_file, take_prepared

PREPARED_KEY = "call_log_export"


def render(filters: CallFilters, viewer: StaffUser) -> None:
    st.subheader(t("call_log.export_title"))
    st.caption(t("call_log.export_help"))
    include_contact = st.checkbox(t("call_log.export_include_contact"), key="call_log_export_contact",
                                  help=t("call_log.export_include_contact_help"))
    formats: list[Literal["csv", "xlsx"]] = ["csv", "xlsx"]
    fmt = st.radio(t("call_log.export_format"), formats, format_func=str.upper, horizontal=True,
                   key="call_log_export_format") or "csv"
    if st.button(t("call_log.export_prepare"), key="call_log_export_prepare") and guard.check(access.exports_calls):
        _forget_previous()
        bar = st.progress(0.0, text=t("call_log.export_progress_start"))

        def progress(done: int, total: int) -> None:
            bar.progress(min(done / total, 1.0) if total else 1.0,
                         text=t("call_log.export_progress", done=fmt_number(done), total=fmt_number(total)))

        with session_scope() as session:
            path, result = export_to_file(session, filters=filters, viewer=viewer, fmt=fmt,
                                          include_contact=include_contact, progress=progress)
        bar.empty()
        st.session_state[PREPARED_KEY] = {"path": str(path), "format": fmt, "rows": result.rows}
    prepared = st.session_state.get(PREPARED_KEY)
    if not prepared or not Path(prepared["path"]).exists():
        return
    st.success(tn("call_log.export_ready", prepared["rows"], minutes=EXPORT_MAX_AGE_SECONDS // 60))
    path = Path(prepared["path"])
    # A callable: the file is read only when the button is clicked, not on every rerun, and deleted as it
    # is handed over (the export holds personal data; it is prepared again in a moment if needed).
    st.download_button(t("call_log.export_download"), data=lambda: take_prepared(path),
                       file_name=f"opkaldslog.{prepared['format']}", mime=MIME_TYPES[prepared["format"]],
                       key="call_log_export_download", on_click=_downloaded)


def _downloaded() -> None:
    st.session_state.pop(PREPARED_KEY, None)


def _forget_previous() -> None:
    previous = st.session_state.pop(PREPARED_KEY, None)
    if previous:
        Path(previous["path"]).unlink(missing_ok=True)
