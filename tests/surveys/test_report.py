"""The survey report's numbers, checked against tables computed by hand."""

import pytest

from portal.extensions import db
from portal.models import Region, Survey
from portal.surveys import services
from portal.surveys.report import build_report
from portal.surveys.services import SubmittedAnswer as A
from tests.surveys.conftest import user


@pytest.fixture
def answered(ctx, survey, ids, partner_in):
    """13 organisations: EMEA 6 (4 partner, 2 vendor; scale 4), North America 5 (1 partner,
    4 vendor; scale 2), APAC 2 (partner; scale 5). Five text answers (one per consent, and two
    more not quotable) so the text question is shown; nobody answers the multiple choice."""
    plan = (
        [(Region.EMEA, "partner", 4)] * 4
        + [(Region.EMEA, "vendor", 4)] * 2
        + [(Region.NA, "partner", 2)]
        + [(Region.NA, "vendor", 2)] * 4
        + [(Region.APAC, "partner", 5)] * 2
    )
    texts = {
        0: ("Put us on the invoice.", "on_record"),
        1: ("Margins matter.", "anonymous"),
        2: ("Keep this private.", "no"),
        3: ("Not for print.", "no"),
        4: ("Off the record.", "no"),
    }
    for index, (region, choice, scale) in enumerate(plan):
        partner = partner_in(region=region, name=f"Partner {index:02d}")
        text, consent = texts.get(index, ("", "no"))
        answers = {
            ids["single"]: A([str(ids[choice])]),
            ids["scale"]: A([], scale=str(scale)),
            ids["text"]: A([], text=text, quotable=consent),
        }
        _, problems = services.submit_response(
            user(partner), db.session.get(Survey, survey), answers
        )
        assert problems == {}
    return build_report(db.session.get(Survey, survey))


def by_key(cells):
    return {c["key"]: c for c in cells}


def test_totals_and_overall_shares(answered):
    assert answered["responses"] == 13 and answered["organisations"] == 13
    single = answered["questions"][0]
    assert [(c["label"], c["count"], c["percent"]) for c in single["choices"]] == [
        ("Partner", 7, 54),
        ("Vendor", 6, 46),
    ]


def test_region_breakdown_suppresses_small_groups_and_the_next_smallest(answered):
    single = answered["questions"][0]
    region = next(s for s in single["segments"] if s["label"] == "Region")
    columns = by_key(region["columns"])
    assert columns["emea"]["value"] == 6 and not columns["emea"]["suppressed"]
    assert columns["apac"]["suppressed"] and columns["apac"]["value"] is None
    # APAC alone could be computed as total minus the others: North America is hidden too.
    assert (
        columns["na"]["suppressed"] and columns["na"]["note"] == "hidden to protect a small group"
    )
    assert columns["latam"]["orgs"] == 0
    partner_row, vendor_row = region["rows"]
    assert (partner_row["cells"][1]["value"], partner_row["cells"][1]["percent"]) == (4, 67)
    assert (vendor_row["cells"][1]["value"], vendor_row["cells"][1]["percent"]) == (2, 33)
    for cell in (partner_row["cells"][0], vendor_row["cells"][0], partner_row["cells"][2]):
        assert cell["suppressed"] and cell["value"] is None


def test_response_rates_by_region(answered):
    rates = by_key(next(r for r in answered["response_rates"] if r["label"] == "Region")["cells"])
    assert (rates["emea"]["value"], rates["emea"]["rate"]) == (6, 100)
    assert rates["na"]["suppressed"] and rates["apac"]["suppressed"]


def test_scale_distribution_mean_and_segment_means(answered):
    scale = answered["questions"][2]
    assert [(d["label"], d["count"]) for d in scale["scale"]["distribution"]] == [
        ("1", 0),
        ("2", 5),
        ("3", 0),
        ("4", 6),
        ("5", 2),
    ]
    assert scale["scale"]["mean"] == round(44 / 13, 1)
    region = by_key(next(s for s in scale["segments"] if s["label"] == "Region")["cells"])
    assert region["emea"]["value"] == 4.0
    assert region["na"]["suppressed"] and region["apac"]["suppressed"]


def test_quotes_follow_consent_exactly(answered):
    text = answered["questions"][3]
    assert text["quotes"] == [
        {"text": "Put us on the invoice.", "attribution": "Partner 00", "consent": "on_record"},
        {"text": "Margins matter.", "attribution": None, "consent": "anonymous"},
    ]


def test_a_brief_snapshot_has_no_quotes(ctx, answered, survey):
    snapshot = build_report(db.session.get(Survey, survey), with_quotes=False)
    assert "quotes" not in snapshot["questions"][3]
    assert "Put us on the invoice." not in str(snapshot)
    assert "Partner 00" not in str(snapshot)
