"""The same plan gives the same numbers in-process, in a process pool and on Ray; the torch backend trains too."""

import pytest

from actlab.compare import Plan, run
from actlab.compare.executors import InProcess, Pool, Ray


def _numbers(results):
    return {(r["activation"], r["seed"]): (r["status"], r["metrics"]["final_score"], r["metrics"]["final_loss"],
                                           r["curve"]["loss"], r["metrics"]["dead_fraction"],
                                           r["metrics"]["grad_norms"])
            for r in results.runs}


def _plan(tmp_path, name, **kw):
    return Plan(["relu", "tanh"], ["iris"], seeds=2, epochs=3, store=tmp_path / f"{name}.sqlite", **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return _numbers(run(_plan(tmp_path_factory.mktemp("ref"), "local"), executor=InProcess()))


def test_pool_matches_in_process(tmp_path, reference):
    pooled = run(_plan(tmp_path, "pool"), executor=Pool(2))
    assert _numbers(pooled) == reference
    assert {r["status"] for r in pooled.runs} == {"done"}


@pytest.mark.ray
def test_ray_local_runtime_matches_in_process(tmp_path, reference):
    import ray  # noqa: F401
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        results = run(_plan(tmp_path, "ray", ray="local"), executor=Ray())
        assert _numbers(results) == reference
        hosts = {r["host"] for r in results.runs}
        assert len(hosts) == 1 and all(r["versions"]["numpy"] for r in results.runs)
    finally:
        ray.shutdown()
    assert not ray.is_initialized()


@pytest.mark.torch
def test_torch_backend_mlp_and_cnn_are_seeded(tmp_path):
    import torch  # noqa: F401
    a = run(Plan(["relu", "tanh"], ["mnist1d"], model="cnn:8,8", backend="torch", seeds=1, epochs=2, lr=1e-2,
                 store=tmp_path / "a.sqlite", workers=0))
    b = run(Plan(["relu", "tanh"], ["mnist1d"], model="cnn:8,8", backend="torch", seeds=1, epochs=2, lr=1e-2,
                 store=tmp_path / "b.sqlite", workers=0))
    assert _numbers(a) == _numbers(b)
    assert all(r["status"] == "done" and r["versions"]["torch"] for r in a.runs)
    relu = next(r for r in a.runs if r["activation"] == "relu")
    assert len(relu["metrics"]["grad_norms"]) == 3 and len(relu["metrics"]["layers"]) == 2
    assert relu["metrics"]["final_score"] > 0.2  # 10 classes: well above chance (0.1)


@pytest.mark.torch
def test_torch_backend_never_compiles_kernels_and_restores_the_setting(tmp_path):
    """A run's tensors are small: compiling actlab.torch kernels in every worker would cost more than the run."""
    from actlab.torch import compiled

    old = compiled.configure(mode="always")  # would compile even the smallest tensor
    try:
        before = compiled.cache_info()
        results = run(Plan(["bent_identity"], ["iris"], backend="torch", seeds=1, epochs=2, store=tmp_path / "s.sqlite",
                           workers=0))
        assert {r["status"] for r in results.runs} == {"done"}
        assert compiled.cache_info() == before
        assert compiled.configure()["mode"] == "always"
    finally:
        compiled.configure(**old)
