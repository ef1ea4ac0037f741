"""XLSForm both ways: a questionnaire of ours as an XLSForm workbook (survey, choices, settings)
that field apps (ODK Collect, KoboToolbox) load, and an XLSForm workbook as a questionnaire file
of ours, refused with sheet, row and column where our format cannot say what it says.

Pure: no Flask, no database. Our expression language is the XLSForm subset (``${q} = 'x'``,
``selected``, ``count-selected``…), so `relevant` and `constraint` travel as text; on the way
in they are parsed by our own evaluator, which refuses what it does not know.
"""
