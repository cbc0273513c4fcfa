import math

import numpy as np
import pandas as pd
import pytest

from helpers.findings import Finding, Findings
from helpers.grading import check_choice, check_set, check_table, check_value, require


# -- check_value ---------------------------------------------------------------------------------
def test_value_within_tolerance_passes_including_numpy_scalars():
    f = check_value("service_level", np.float64(0.8012), 0.8, rel_tol=0.01, points=2, criterion="4.2")
    assert f.passed and f.points == 2 and f.criterion == "4.2" and f.item == "service_level"
    assert check_value("calls", np.int64(120), 120).passed


def test_value_outside_tolerance_hides_expected_and_direction():
    f = check_value("aht", 412.0, 380.0, unit="seconds")
    assert not f.passed and f.points == 0
    assert "380" not in f.message and "too" not in f.message
    assert "tolerance" in f.message


def test_reveal_direction_and_sign():
    assert "too high" in check_value("aht", 412.0, 380.0, reveal_direction=True).message
    assert "too low" in check_value("aht", 300.0, 380.0, reveal_direction=True).message
    assert "wrong sign" in check_value("variance", -12.0, 12.0, reveal_direction=True).message


@pytest.mark.parametrize("answer, fragment", [
    ("0.8", "number written as text"),
    ("eighty", "you gave a string"),
    (None, "None"),
    (True, "True/False"),
    ([0.8], "list"),
    (pd.Series([0.8]), ".iloc[0]"),
    (float("nan"), "NaN"),
    (math.inf, "infinite"),
])
def test_value_wrong_types_get_specific_messages(answer, fragment):
    f = check_value("service_level", answer, 0.8)
    assert not f.passed
    assert fragment in f.message
    assert "between 0 and 1" in f.message or fragment in ("NaN", "infinite")


def test_percent_fraction_and_time_unit_slips():
    assert "percentage" in check_value("service_level", 80.0, 0.8).message
    assert "looks like a fraction" in check_value("abandon_pct", 0.05, 5.0, unit="percent").message
    assert "minutes" in check_value("aht", 6.5, 390.0, unit="seconds").message
    assert "seconds" in check_value("aht_min", 390.0, 6.5, unit="minutes").message


def test_value_strings_bools_and_nan_expected():
    assert check_value("channel", " Email ", "email").passed
    assert not check_value("channel", "Email", "email", case_sensitive=True).passed
    assert "should be text" in check_value("channel", 3, "email").message
    assert check_value("meets_target", np.bool_(True), True).passed
    assert "True or False" in check_value("meets_target", "yes", True).message
    assert check_value("ratio", float("nan"), float("nan")).passed
    assert check_value("queues", ["a", "b"], ["a", "b"]).passed


# -- check_choice / check_set ----------------------------------------------------------------------
def test_choice():
    assert check_choice("q1", " b", "B", options="ABCD").passed
    assert check_choice("q1", "c", ["b", "c"]).passed
    wrong = check_choice("q1", "a", "b", options="abcd")
    assert not wrong.passed and "b" not in wrong.message.split(":", 1)[1].replace("best", "")
    assert "not one of the options" in check_choice("q1", "e", "b", options="abcd").message
    assert "choose one" in check_choice("q1", ["a", "b"], "b").message
    assert "None" in check_choice("q1", None, "b").message


def test_set_partial_credit_is_f1_and_counts_only():
    expected = {"C1", "C2", "C3", "C4"}
    f = check_set("ids", ["C1", "C2", "C9", "C1"], expected, points=4)
    precision, recall = 2 / 3, 2 / 4
    assert f.points == pytest.approx(4 * 2 * precision * recall / (precision + recall))
    assert not f.passed
    assert "2 of your 3 items are correct" in f.message and "2 are missing" in f.message
    assert "1 duplicate" in f.message
    assert "C3" not in f.message and "C4" not in f.message
    assert check_set("ids", np.array(["C1", "C2", "C3", "C4"]), expected).passed
    lenient = check_set("ids", ["C1", "C2", "C3"], expected, min_precision=1, min_recall=0.7)
    assert lenient.passed and lenient.points < 1


@pytest.mark.parametrize("answer, fragment", [
    ("C1", "wrap a single item"), (None, "None"), (5, "int"), ({"C1": 1}, "dict"),
    ([["C1"]], "flat list"), (pd.DataFrame({"id": ["C1"]}), "select one column"),
])
def test_set_malformed(answer, fragment):
    f = check_set("ids", answer, {"C1"})
    assert not f.passed and fragment in f.message


# -- check_table -----------------------------------------------------------------------------------
@pytest.fixture
def expected_table():
    return pd.DataFrame({"queue": ["billing", "sales", "service"],
                         "calls": [100, 250, 400], "service_level": [0.81, 0.74, 0.9]})


def test_table_exact_and_index_as_key(expected_table):
    answer = expected_table.set_index("queue").iloc[::-1]
    f = check_table("by_queue", answer, expected_table, key="queue", points=3)
    assert f.passed and f.points == 3


def test_table_partial_credit_and_messages(expected_table):
    answer = expected_table.copy()
    answer.loc[1, "service_level"] = 0.5
    answer = pd.concat([answer, pd.DataFrame({"queue": ["extra"], "calls": [1], "service_level": [1.0]})])
    f = check_table("by_queue", answer, expected_table, key="queue", points=1)
    # 5 of 6 expected cells right; the extra row adds 2 cells to the denominator
    assert f.points == pytest.approx(5 / 8)
    assert not f.passed
    assert "1 row(s) should not be there" in f.message and "'service_level': 1 of 3" in f.message
    assert "0.74" not in f.message


def test_table_missing_rows_columns_and_types(expected_table):
    answer = expected_table.iloc[:2].rename(columns={"calls": "Calls"})
    f = check_table("by_queue", answer, expected_table, key="queue")
    assert "column 'calls' is missing" in f.message and "case-sensitive" in f.message
    assert "1 expected row(s) are missing" in f.message
    assert f.points == pytest.approx(2 / 6)
    text = expected_table.astype({"calls": "string"})
    g = check_table("by_queue", text, expected_table, key="queue")
    assert "should hold numbers" in g.message and g.points == pytest.approx(3 / 6)
    assert "rows cannot be matched" in check_table("t", expected_table.drop(columns="queue"),
                                                   expected_table, key="queue").message
    dup = pd.concat([expected_table, expected_table.iloc[:1]])
    assert "duplicated" in check_table("t", dup, expected_table, key="queue").message


def test_table_positional_and_tolerance(expected_table):
    answer = expected_table.assign(service_level=expected_table["service_level"] + 1e-9)
    assert check_table("t", answer, expected_table).passed
    assert check_table("t", answer.assign(calls=answer["calls"].astype(float)), expected_table).passed
    assert "Series" in check_table("t", expected_table["calls"], expected_table).message
    assert "list" in check_table("t", [1, 2], expected_table).message


# -- require ---------------------------------------------------------------------------------------
def test_require_raises_readable_summary():
    good = Finding.ok("4.2", "fine")
    bad = Finding.fail("4.2", "`aht` is not within the tolerance", item="aht")
    assert isinstance(require(good), Findings)
    with pytest.raises(AssertionError) as err:
        require([good, bad])
    text = str(err.value)
    assert "every check must pass" in text and "1/2 points" in text and "`aht`" in text
    assert len(require([good, good, bad], min_fraction=0.6)) == 3
    with pytest.raises(AssertionError, match="70% needed"):
        require([good, bad], min_fraction=0.7)
    with pytest.raises(ValueError):
        require([good], min_fraction=2)
