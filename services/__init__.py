"""Work that is neither persistence nor UI: SMTP delivery, PDF letters, export files, demo data,
and composing a call's written guidance from what the database holds.

Layers: console → services → db → advisory (import-linter holds it); `settings` is read by all.
"""
