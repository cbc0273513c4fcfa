import pytest

from helpers.findings import Finding, Findings


def _sample():
    return Findings([
        Finding("2.1", True, 2, 2, "name fields present", item="name"),
        Finding("2.1", False, 0.5, 2, "no occupation column", item="occupation"),
        Finding("2.2", False, 0, 1, "no primary key on offers | table", item="offers"),
    ])


def test_scores_and_fraction():
    fs = _sample()
    assert fs.score == 2.5
    assert fs.max_score == 5
    assert fs.fraction == pytest.approx(0.5)
    assert not fs.all_passed
    assert [f.item for f in fs.failed()] == ["occupation", "offers"]
    assert len(fs.passed()) == 1
    assert fs.criteria() == ["2.1", "2.2"]
    assert len(fs.for_criterion("2.2")) == 1


def test_zero_point_sets_follow_pass_state():
    assert Findings([Finding.ok("2.4", "fine", points=0)]).fraction == 1.0
    assert Findings([Finding.fail("2.4", "bad", max_points=0)]).fraction == 0.0
    assert Findings().fraction == 1.0


def test_list_like_behaviour():
    fs = _sample()
    assert isinstance(fs[1:], Findings) and len(fs[1:]) == 2
    assert fs[0].item == "name"
    combined = fs + [Finding.ok("2.3", "indexes present")]
    assert len(combined) == 4 and len(fs) == 3
    with pytest.raises(TypeError):
        fs.append("not a finding")


@pytest.mark.parametrize("kwargs", [
    dict(criterion="", passed=True, points=1, max_points=1, message="m"),
    dict(criterion="2.1", passed=True, points=2, max_points=1, message="m"),
    dict(criterion="2.1", passed=True, points=-1, max_points=1, message="m"),
    dict(criterion="2.1", passed=True, points=float("nan"), max_points=1, message="m"),
    dict(criterion="2.1", passed=True, points="1", max_points=1, message="m"),
])
def test_invalid_finding_rejected(kwargs):
    with pytest.raises(ValueError):
        Finding(**kwargs)


def test_frame_and_by_criterion():
    frame = _sample().to_frame()
    assert list(frame.columns) == ["criterion", "item", "passed", "points", "max_points", "message"]
    assert frame["passed"].tolist() == [True, False, False]
    per = _sample().by_criterion().set_index("criterion")
    assert per.loc["2.1", "score"] == 2.5 and per.loc["2.1", "max_score"] == 4
    assert per.loc["2.2", "checked"] == 1
    assert Findings().to_frame().empty


def test_renderings_escape_and_summarise():
    fs = _sample()
    md = fs.to_markdown()
    assert "2.5/5 points (50%)" in md
    assert "offers \\| table" in md  # pipes escaped so the table stays intact
    assert md.count("\n| ") == 4  # header + three rows
    html = Findings([Finding.fail("2.1", "<script>x</script>")])._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    summary = fs.summary().splitlines()
    assert summary[0].startswith("2.5/5 points") and "1 of 3 checks passed" in summary[0]
    assert len(summary) == 3 and "occupation" in summary[1]
    assert "FAIL 2.2 [offers]" in str(fs)


def test_finding_of_earns_full_points_only_when_passed():
    from helpers.findings import Finding

    assert Finding.of("1.1", True, "ok", points=2) == Finding("1.1", True, 2.0, 2.0, "ok", None)
    assert Finding.of("1.1", 0, "no", item="x", points=2) == Finding("1.1", False, 0.0, 2.0, "no", "x")
