"""The hardware package's public names after the split into submit / job / launch."""

import importlib

import qdq
import qdq.hardware as hw

# The package's ``submit`` attribute is the function; the modules by their full names.
submit = importlib.import_module("qdq.hardware.submit")
job = importlib.import_module("qdq.hardware.job")
launch = importlib.import_module("qdq.hardware.launch")


def test_public_names_are_one_object_wherever_imported():
    assert hw.Job is job.Job is qdq.Job and submit.Job is job.Job
    assert hw.jobs is job.jobs is qdq.jobs
    assert hw.submit is submit.submit is qdq.submit
    assert hw.recover_jobs is job.recover_jobs and hw.preview is submit.preview


def test_local_registry_is_shared_by_submit_and_job(store, spec):
    j = hw.submit(spec, backend="fake_manila", shots=50, store=store, seed=3)
    assert launch.LOCAL_BY_LOCAL_ID[j.id] == j.provider_id
    assert launch.LOCAL_JOBS[j.provider_id] is j._provider_job
    again = hw.Job(j.id, store=store)
    assert again._provider() is j._provider_job
    assert again.result().shots == 50
    assert j.provider_id not in launch.LOCAL_JOBS  # cached in the store: let it go
