"""The synthetic call-centre data generator (Faker pools + numpy + the queue simulation).

    from helpers.generator import generate, write_dataset
    ds = generate("lyrebird-energy", seed=7, learner="jsmith")
    write_dataset(ds, "datasets/lyrebird-energy/learners/jsmith", grader_dir="autograde/manifests/...")

See docs/data.md for what each table means and which published findings the defaults follow.
"""
from helpers.generator.dataset import Dataset
from helpers.generator.rng import stable_hash

__all__ = ["generate", "Dataset", "stable_hash", "STEPS", "write_dataset", "read_dataset"]


def __getattr__(name):
    # Import on first use: a workbook's setup cell reads a dataset (helpers.data imports Dataset from here)
    # and must not pay for the generator (Faker, the simulation, scipy) or io (sqlite, pyarrow.parquet).
    if name in ("generate", "STEPS"):
        from helpers.generator import core
        return getattr(core, name)
    if name in ("write_dataset", "read_dataset"):
        from helpers.generator import io
        return getattr(io, name)
    raise AttributeError(name)
