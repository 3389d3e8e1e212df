from __future__ import annotations

from xietong.observability.metrics import ANONYMOUS, OTHER, BoundedLabels, HttpRoutes, Metrics


def test_operation_labels_are_bounded_and_well_formed() -> None:
    labels = BoundedLabels(limit=2)
    assert labels(None) == ANONYMOUS
    assert labels("A") == "A"
    assert labels("not a name!") == OTHER
    assert labels("B") == "B"
    assert labels("C") == OTHER
    assert labels("A") == "A"


def test_unknown_paths_share_one_label() -> None:
    assert HttpRoutes()("/graphql") == "/graphql"
    assert HttpRoutes()("/wp-admin/x.php") == OTHER


def test_heartbeats_and_redis_state() -> None:
    metrics = Metrics(multiprocess="")
    metrics.observe_heartbeats({"a": 100.0, "b": 500.0}, now=600.0)
    read = metrics.registry.get_sample_value
    assert read("xietong_worker_last_heartbeat_seconds") == 500.0
    assert read("xietong_workers_seen") == 1  # a is 500 s old
    assert read("xietong_redis_up") == 1
    metrics.observe_heartbeats(None, now=700.0)
    assert read("xietong_redis_up") == 0
    assert read("xietong_worker_last_heartbeat_seconds") == 500.0  # kept, not reset
