"""Published tender and award notices (eForms XML, OCDS JSON) as a second source.

`mvoi ingest-notices` (cli.py) reads notices with eforms.py and ocds.py into the format-neutral
model (model.py) and turns them into a landing folder (landing.py). docs/notices.md has the
business terms, XPaths, mappings and the replacement rule.
"""
