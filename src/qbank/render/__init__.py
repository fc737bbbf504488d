"""Format conversions the exporters share, below the export layer.

:mod:`qbank.render.maths` turns LaTeX into MathML (web pages) and Word equations (OMML),
:mod:`qbank.render.text` into readable Unicode text where nothing can be typeset;
:mod:`qbank.render.images` sniffs image files and re-encodes those a target cannot show.
Nothing here imports :mod:`qbank.export`.
"""
