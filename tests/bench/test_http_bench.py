"""The HTTP bench's judgement of a downloaded report CSV: whole, or cut off."""

from bench.client_http import count_csv_rows, percentile

HEADER = "rank,title,score\r\n"
FOOTNOTES = "\r\n# Generated 2026-11-26\r\n# Privacy: …\r\n"


def test_complete_csv_counts_rows_up_to_the_footnotes():
    text = HEADER + '1,"Bill, with our terms",9\r\n2,"Line one\nline two",7\r\n' + FOOTNOTES
    assert count_csv_rows(text) == (2, True)


def test_csv_without_footnotes_is_cut_off():
    assert count_csv_rows(HEADER + "1,Bill,9\r\n2,Bund") == (2, False)


def test_csv_cut_inside_a_quoted_field_is_cut_off():
    rows, complete = count_csv_rows(HEADER + '1,Bill,9\r\n2,"Bund')
    assert not complete
    assert rows <= 2


def test_empty_body_has_no_rows():
    assert count_csv_rows("") == (0, False)


def test_percentile_is_nearest_rank():
    samples = [float(n) for n in range(1, 21)]
    assert percentile(samples, 0.95) == 19.0
    assert percentile(samples, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0
