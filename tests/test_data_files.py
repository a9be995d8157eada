"""Walk every shipped data file on its own against the schema, naming any that fails."""
from __future__ import annotations

import shutil

import pytest
from conftest import ROOT

from generator.load import load_data
from generator.model import DataError
from generator.validate import validate

DATA = ROOT / "data"
DYAD_FILES = sorted((DATA / "dyads").glob("*.yaml"))


@pytest.mark.parametrize("dyad_file", DYAD_FILES, ids=[path.stem for path in DYAD_FILES])
def test_each_dyad_file_validates_on_its_own(tmp_path, dyad_file):
    folder = tmp_path / "data"
    (folder / "dyads").mkdir(parents=True)
    for name in ("actors.yaml", "sources.yaml"):
        shutil.copy(DATA / name, folder / name)
    shutil.copy(dyad_file, folder / "dyads" / dyad_file.name)
    try:
        dataset = validate(load_data(folder))
    except DataError as error:
        pytest.fail(f"{dyad_file.name} does not validate:\n" + "\n".join(map(str, error.problems)))
    assert [dyad.id for dyad in dataset.dyads] == [dyad_file.stem]


def test_the_seed_dataset_has_the_papers_three_dyads():
    assert [path.stem for path in DYAD_FILES] == ["north-korea-china", "russia-china", "russia-north-korea"]


def test_every_cited_source_exists_and_every_rationale_is_bilingual():
    dataset = validate(load_data(DATA))
    source_ids = {source.id for source in dataset.sources}
    for dyad in dataset.dyads:
        for threat in dyad.threats:
            assert set(threat.evidence) <= source_ids, dyad.id
            assert all(text for _, text in threat.rationale.values), dyad.id


def test_the_bibliography_carries_the_papers_reference_list():
    dataset = validate(load_data(DATA))
    assert len(dataset.sources) == 100
    weitsman = next(source for source in dataset.sources if source.id == "weitsman-2004")
    assert (weitsman.title, weitsman.publisher) == (
        "Dangerous Alliances: Proponents of Peace, Weapons of War", "Stanford University Press")
