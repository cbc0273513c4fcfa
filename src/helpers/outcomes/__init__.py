"""What grades become: competency outcomes per item and unit, and the documents auditors read.

* :mod:`helpers.outcomes.report`: the outcome model (Satisfactory per item, Competent per unit, RTO records);
* :mod:`helpers.outcomes.reports`: ``ccw report`` (competency CSV, HTML report, assessor guide, result
  sheets, similarity report), with :mod:`~helpers.outcomes.report_html`, :mod:`~helpers.outcomes.guide`,
  :mod:`~helpers.outcomes.result_sheet` and :mod:`~helpers.outcomes.similarity`.
"""
