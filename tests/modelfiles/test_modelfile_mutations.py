"""Mutation test of the model-file reader: a few hundred damaged or crafted files (see
``modelfile_mutants``), each refused by ``mk.load`` with one exception type,
``ModelFileError``, whose message names the file and the field, within a bounded peak
allocation (measured with tracemalloc: no wall-clock assertion). A mutation that may leave
the model intact (a flipped byte in an unused zip header field) may also load."""

from collections import Counter

import pytest
from modelfile_mutants import mutants, outcome

import mlpkit as mk
from mlpkit.modelfile import ModelFileError

#: Peak bytes a refusal may allocate: far above loading these small files (well under 1 MiB),
#: far below what the bombs and huge shapes would cost (128 MiB to terabytes).
BOUND = 8 * 2**20


@pytest.fixture(scope="module")
def every_mutant(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mutants")
    found = mutants(folder)
    paths = []
    for mutant in found:
        path = folder / f"{mutant.name}.mlpk"
        path.write_bytes(mutant.data)
        paths.append(path)
    return list(zip(found, paths))


def test_every_mutated_file_is_refused_cleanly_in_bounded_memory(every_mutant):
    verdicts, failures = Counter(), []
    for mutant, path in every_mutant:
        verdict, detail = outcome(str(path), mutant, mk.load, ModelFileError, BOUND)
        verdicts[verdict] += 1
        if verdict not in ("clean", "intact"):
            failures.append(f"{verdict}: {detail}")
    print(f"{len(every_mutant)} mutated files: {dict(verdicts)}")
    assert len(every_mutant) >= 300
    assert verdicts["clean"] >= 280
    assert failures == [], "\n".join(failures)


def test_an_npy_header_that_does_not_tokenize_is_refused_cleanly(tmp_path):
    """numpy reads the header's dict with the tokenizer, which raises its own TokenError on an
    unclosed bracket (met as a one-byte flip in the mutation suite)."""
    import zipfile

    path = tmp_path / "net.mlpk"
    net = mk.Sequential([mk.layers.Dense(2)], random_state=0)
    net.build(3)
    net.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (8,"
    header = header.ljust(118) + b"\n"
    members["params.npy"] = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
    broken = tmp_path / "broken.mlpk"
    with zipfile.ZipFile(broken, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ModelFileError, match="params"):
        mk.load(broken)
