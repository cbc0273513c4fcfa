"""Analysis for the workbooks: forecasting, traffic patterns, control charts, survey statistics, verbatims.

Everything takes and returns pandas objects or floats; each function's docstring states its formula
and conventions (also collected in docs/formulas.md).
"""
from helpers.analysis.control_charts import (c4, d2, individuals_chart, laney_p_chart, p_chart,
                                             western_electric_rules, xbar_chart)
from helpers.analysis.forecasting import (default_methods, forecast_accuracy, holdout_evaluation,
                                          holt_winters, moving_average, seasonal_naive)
from helpers.analysis.patterns import Trend, daily_volume, intraday_profile, trend, weekly_profile
from helpers.analysis.surveys import (Comparison, compare_before_after, margin_of_error, response_rate,
                                      sample_size_for, wilson_interval)
from helpers.analysis.verbatims import (DEFAULT_LEXICON, TOPICS, categorisation_accuracy,
                                        categorisation_report, categorise_verbatims)

__all__ = [
    "seasonal_naive", "moving_average", "holt_winters", "forecast_accuracy", "holdout_evaluation",
    "default_methods", "intraday_profile", "weekly_profile", "daily_volume", "trend", "Trend",
    "p_chart", "laney_p_chart", "individuals_chart", "xbar_chart", "western_electric_rules", "c4", "d2",
    "compare_before_after", "Comparison", "wilson_interval", "response_rate", "margin_of_error",
    "sample_size_for", "categorise_verbatims", "categorisation_accuracy", "categorisation_report",
    "DEFAULT_LEXICON", "TOPICS",
]
