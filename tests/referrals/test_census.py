"""Children in Need census referral sources: the DfE's codes and wording, and
the source a portal referral gets from the agency that sent it."""

from __future__ import annotations

import importlib.util
import os
import xml.etree.ElementTree as ET  # noqa: S405 - the DfE's own schema file, not input
from pathlib import Path

import pytest

from referrals.census import CensusSource, plain_label, source_for_agency
from tests.conftest import submit

XS = "{http://www.w3.org/2001/XMLSchema}"


def _schema_path() -> Path | None:
    """The DfE schema shipped in the `liiatools` package (installed with
    `pip install --no-deps liiatools`: only its files are read), or the file
    named by CIN_SCHEMA_XSD."""
    if os.environ.get("CIN_SCHEMA_XSD"):
        return Path(os.environ["CIN_SCHEMA_XSD"])
    spec = importlib.util.find_spec("liiatools")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)))
    return path / "spec" / "cin_census" / "CIN_schema_2024.xsd"


def test_the_codes_and_wording_are_the_dfe_schemas():
    path = _schema_path()
    if path is None or not path.exists():
        pytest.skip("the liiatools package (the DfE's CIN schema) is not installed")
    tree = ET.parse(path)  # noqa: S314 - the DfE's own schema file
    source_type = next(
        t for t in tree.getroot().iter(f"{XS}simpleType") if t.get("name") == "referralsourcetype"
    )
    schema = {
        e.get("value"): " ".join("".join(e.itertext()).split())
        for e in source_type.iter(f"{XS}enumeration")
    }
    ours = {code: " ".join(str(label).split()) for code, label in CensusSource.choices}
    assert ours == schema


def test_the_list_runs_from_1a_to_10_in_the_schemas_order():
    assert CensusSource.values[:4] == ["1A", "1B", "1C", "1D"]
    assert CensusSource.values[-6:] == ["5D", "6", "7", "8", "9", "10"]
    assert len(CensusSource.values) == 22


def test_pages_show_the_code_with_its_wording_without_the_schemas_stray_bracket():
    assert plain_label("5D") == "5D: LA SERVICES – early help"
    assert plain_label("3B") == "3B: HEALTH SERVICES – health visitor"
    assert plain_label("") == "Not recorded"


@pytest.mark.parametrize(
    ("agency_kind", "job_title", "code"),
    [
        ("health_visiting", "", "3B"),
        ("health_visiting", "School nurse", "3C"),
        ("gp_practice", "", "3A"),
        ("gp_practice", "Practice nurse", "3A"),
        ("hospital", "", "3F"),
        ("hospital", "Emergency department consultant", "3E"),
        ("hospital", "A&E sister", "3E"),
        ("midwifery", "", "3D"),
        ("ambulance", "Paramedic", "3F"),
        ("police", "", "6"),
        ("police", "School nurse", "6"),
        ("school", "", "2A"),
        ("other", "", "8"),
        ("no_such_kind", "", "10"),
    ],
)
def test_a_portal_referrals_source_follows_the_agency_and_the_senders_role(
    agency_kind, job_title, code
):
    assert source_for_agency(agency_kind=agency_kind, job_title=job_title) == code


def test_every_portal_referral_records_its_census_source(world):
    assert submit(world.hv).census_source == "3B"
    assert submit(world.gp).census_source == "3A"


def test_a_school_nurse_of_a_health_visiting_service_is_recorded_as_one(world):
    world.hv.memberships.update(job_title="School nurse")
    assert submit(world.hv).census_source == "3C"
