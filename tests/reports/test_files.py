"""Download names: safe ASCII for every browser, the real name for those that read RFC 6266."""

from datetime import date

from portal.documents.files import dated_filename, download_headers


def test_a_non_ascii_name_gets_an_ascii_fallback_and_a_utf8_filename_star():
    headers = download_headers("Cóndor — report.csv")
    assert headers["Content-Disposition"] == (
        'attachment; filename="Condor-report.csv"; '
        "filename*=UTF-8''C%C3%B3ndor%20%E2%80%94%20report.csv"
    )


def test_an_ascii_name_needs_no_filename_star():
    assert download_headers("vendor-report_2026-11-26.csv")["Content-Disposition"] == (
        'attachment; filename="vendor-report_2026-11-26.csv"'
    )


def test_dated_names_are_slugged_and_fit_the_export_job_column():
    day = date(2026, 11, 26)
    name = dated_filename("vendor-report", ["Cóndor Billing!", "", "x" * 200], day, "pdf")
    assert name == f"vendor-report_condor-billing_{'x' * 40}_2026-11-26.pdf"
    longest = dated_filename("vendor-report", ["p" * 80, "t" * 80, "s" * 80], day, "xlsx")
    assert len(longest) == 100 and longest.endswith("_2026-11-26.xlsx") and longest.isascii()
