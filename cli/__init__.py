"""The operators' command line (`advice-console COMMAND`, or `python -m cli COMMAND`): beside the Streamlit
console, not inside it, since cron jobs and installers run it without a browser."""
