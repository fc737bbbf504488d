"""The rules the loader reports, documented where they are reported: QB0xx (YAML and files,
:mod:`~qbank.load.rules.files`) and QB1xx (fields and types,
:mod:`~qbank.load.rules.schema`). Importing :mod:`qbank.load` registers them; the validator
lists them with its own families (:func:`qbank.validate.rules.families`)."""
