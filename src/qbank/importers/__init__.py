"""Importers: other tools' question formats → qbank YAML, one package per format.

Each importer reads a file another tool wrote (Moodle XML, GIFT, Aiken, a spreadsheet) and
writes question files a bank can hold, reporting what it could not carry over with a
location in the input. Importers sit beside the exporters in the layers (they may use
:mod:`qbank.load`, :mod:`qbank.model` and :mod:`qbank.markup`, never the CLI or each other);
see docs/architecture.md, "Adding an importer".
"""
