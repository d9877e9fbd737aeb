"""Work that is neither persistence nor UI: SMTP delivery, PDF letters, export files, demo data,
composing a call's written guidance from what the database holds, and the purge and erasure as staff run
them (the database's part plus the prepared export files).

Layers: console → services → db → advisory (import-linter holds it); `settings` is read by all.
"""
