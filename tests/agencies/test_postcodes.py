"""Which front door covers a postcode: entered in the admin, imported from
the ONS Postcode Directory, the most specific entry winning."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency, AgencyKind, CoverageSource, CoveredPostcode
from agencies.postcodes import (
    PostcodeFileError,
    import_postcode_directory,
    read_postcode_directory,
)
from agencies.selectors import front_door_for_postcode
from audit.models import Action, AuditEvent
from tests.conftest import client_for

FIXTURE = Path(__file__).parent / "fixtures" / "onspd_extract.csv"


@pytest.fixture
def areas(world):
    world.front_door.local_authority_code = "E06000901"
    world.front_door.save(update_fields=["local_authority_code"])
    world.other_front_door.local_authority_code = "E06000902"
    world.other_front_door.save(update_fields=["local_authority_code"])
    return world


def cover(front_door: Agency, *postcodes: str) -> None:
    for postcode in postcodes:
        CoveredPostcode.objects.create(front_door=front_door, postcode=postcode)


def test_the_most_specific_entry_decides_the_front_door(world):
    cover(world.front_door, "NB1")
    cover(world.other_front_door, "NB1 9")
    cover(world.front_door, "NB1 9ZZ")
    assert front_door_for_postcode("NB1 4QT") == world.front_door
    assert front_door_for_postcode("nb19aa") == world.other_front_door
    assert front_door_for_postcode("NB1 9ZZ") == world.front_door


def test_a_postcode_nobody_covers_or_no_postcode_at_all_has_no_front_door(world):
    cover(world.front_door, "NB1")
    assert front_door_for_postcode("NB12 4QT") is None  # NB12 is not NB1
    assert front_door_for_postcode("") is None
    assert front_door_for_postcode("No fixed abode") is None


def test_a_closed_front_door_covers_nothing(world):
    cover(world.other_front_door, "SP4")
    world.other_front_door.is_active = False
    world.other_front_door.save(update_fields=["is_active"])
    assert front_door_for_postcode("SP4 2AB") is None


def test_the_import_gives_each_front_door_the_postcodes_of_its_local_authority(areas):
    with FIXTURE.open(newline="") as stream:
        result = import_postcode_directory(rows=read_postcode_directory(stream), actor=None)
    assert dict(CoveredPostcode.objects.values_list("postcode", "front_door__name")) == {
        "NB1 4QT": "Northbridge Front Door",
        "NB1 4QU": "Northbridge Front Door",
        "SP4 2AB": "Southport Front Door",
        "SP4 2AD": "Southport Front Door",
    }
    # NB2 1AA was terminated in 2012; ZZ9 9ZZ is nobody's here.
    assert (result.added, result.skipped_other_areas, result.invalid_rows) == (4, 1, 1)
    assert front_door_for_postcode("SP4 2AD") == areas.other_front_door
    assert AuditEvent.objects.filter(action=Action.POSTCODES_IMPORTED).count() == 1
    assert CoveredPostcode.history.filter(postcode="SP4 2AB").count() == 1


def test_importing_the_same_file_again_changes_nothing(areas):
    for _ in range(2):
        with FIXTURE.open(newline="") as stream:
            result = import_postcode_directory(rows=read_postcode_directory(stream), actor=None)
    assert (result.added, result.moved, result.removed, result.unchanged) == (0, 0, 0, 4)
    assert CoveredPostcode.history.count() == 4


def test_a_postcode_that_changed_authority_moves_and_a_terminated_one_goes(areas):
    import_postcode_directory(rows=[("NB1 4QT", "E06000901", False)], actor=None)
    import_postcode_directory(rows=[("NB1 4QU", "E06000901", False)], actor=None)
    result = import_postcode_directory(
        rows=[("NB1 4QT", "E06000902", False), ("NB1 4QU", "E06000901", True)], actor=None
    )
    assert (result.moved, result.removed) == (1, 1)
    assert front_door_for_postcode("NB1 4QT") == areas.other_front_door
    assert not CoveredPostcode.objects.filter(postcode="NB1 4QU").exists()
    assert CoveredPostcode.history.filter(postcode="NB1 4QU", history_type="-").exists()


def test_an_entry_made_in_the_admin_is_never_overwritten_by_an_import(areas):
    cover(areas.other_front_door, "NB1 4QT")  # a border street served by the neighbour
    result = import_postcode_directory(rows=[("NB1 4QT", "E06000901", False)], actor=None)
    assert result.kept_admin_entries == ["NB1 4QT"]
    assert front_door_for_postcode("NB1 4QT") == areas.other_front_door


def test_newer_directory_editions_name_the_authority_column_after_the_year():
    stream = io.StringIO("PCDS,DOTERM,LAD25CD\nnb1 4qt,,E06000901\n")
    assert list(read_postcode_directory(stream)) == [("NB1 4QT", "E06000901", False)]


def test_a_file_that_is_not_the_postcode_directory_is_refused_plainly():
    with pytest.raises(PostcodeFileError, match="not an ONS Postcode Directory file"):
        list(read_postcode_directory(io.StringIO("name,address\nA,B\n")))


def test_the_command_imports_the_file_and_says_what_changed(areas):
    out = io.StringIO()
    call_command("import_postcode_directory", str(FIXTURE), stdout=out)
    assert "4 postcodes added" in out.getvalue()
    with pytest.raises(CommandError, match="No file"):
        call_command("import_postcode_directory", "/nonexistent.csv")


def test_the_deployment_adds_coverage_in_the_admin_in_one_shape(world):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root.deploy", "root@example.test", None)
    admin = client_for(root)
    page = admin.post(
        "/admin/agencies/coveredpostcode/add/",
        {"front_door": world.front_door.pk, "postcode": " nb1  4 "},
    )
    assert page.status_code == 302
    entry = CoveredPostcode.objects.get()
    assert (entry.postcode, entry.source) == ("NB1 4", CoverageSource.ADMIN)
    refused = admin.post(
        "/admin/agencies/coveredpostcode/add/",
        {"front_door": world.other_front_door.pk, "postcode": "NB1 4"},
    )
    assert "already covered" in refused.content.decode()
    typo = admin.post(
        "/admin/agencies/coveredpostcode/add/",
        {"front_door": world.front_door.pk, "postcode": "NB1 4Q"},
    )
    assert "Enter a postcode district" in typo.content.decode()


def test_a_front_door_administrator_sees_their_coverage_but_cannot_change_it(world):
    cover(world.front_door, "NB1")
    cover(world.other_front_door, "SP4")
    admin = client_for(world.admin)
    listing = admin.get("/admin/agencies/coveredpostcode/").content.decode()
    assert "NB1" in listing and "SP4" not in listing
    assert admin.get("/admin/agencies/coveredpostcode/add/").status_code == 403
    assert Agency.objects.filter(kind=AgencyKind.FRONT_DOOR).count() == 2
