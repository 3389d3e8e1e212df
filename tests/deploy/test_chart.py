"""The Helm chart, rendered offline and checked against Kubernetes' own schemas.

helm-python-sdk embeds Helm's Go SDK (lint, values schema, template rendering) in a shared
library, so this needs neither a ``helm`` binary nor a cluster nor the network; the schemas come
with kubernetes-validate. Custom resources (the Prometheus Operator's) have no schema there and
are checked by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from tests.conftest import ROOT

CHART = ROOT / "helm" / "xietong"
KUBERNETES = "1.33"  # the oldest minor still supported upstream when this was written
CUSTOM_RESOURCES = {"monitoring.coreos.com/v1"}

VALUE_SETS = {
    "default": None,
    "production": CHART / "ci" / "production-values.yaml",
}


def values(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return loaded


def render(overrides: dict[str, Any], *, upgrade: bool = False) -> list[dict[str, Any]]:
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(
            overrides,
            name="xt",
            namespace="xietong",
            revision=2 if upgrade else 1,
            is_install=not upgrade,
            is_upgrade=upgrade,
        )
    documents = []
    for path, text in rendered.items():
        if path.endswith(".txt"):
            continue
        documents += [doc for doc in yaml.safe_load_all(text) if doc]
    return documents


@pytest.fixture(scope="module", params=sorted(VALUE_SETS))
def manifests(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    name: str = request.param
    return name, render(values(VALUE_SETS[name]))


def by_kind(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in documents if doc["kind"] == kind]


def one(documents: list[dict[str, Any]], kind: str, component: str | None = None) -> dict[str, Any]:
    (found,) = [
        doc
        for doc in by_kind(documents, kind)
        if component is None
        or doc["metadata"]["labels"].get("app.kubernetes.io/component") == component
    ]
    return found


def pod_specs(documents: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in documents:
        if doc["kind"] in {"Deployment", "Job"}:
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_lint_is_clean(name: str) -> None:
    report = helm.lint(
        CHART, values(VALUE_SETS[name]), strict=True, kube_version=f"v{KUBERNETES}.0"
    )
    errors = [m for m in report["messages"] if m["severity"] >= 2]  # warnings fail too
    assert errors == [], errors


def test_every_manifest_is_valid_kubernetes(manifests: tuple[str, list[dict[str, Any]]]) -> None:
    name, documents = manifests
    assert documents, name
    for doc in documents:
        label = f"{name}: {doc['kind']}/{doc['metadata']['name']}"
        if doc["apiVersion"] in CUSTOM_RESOURCES:
            assert doc["spec"]["selector"]["matchLabels"], label
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{label} at {path}: {exc.message}")


def test_pods_are_locked_down(manifests: tuple[str, list[dict[str, Any]]]) -> None:
    _, documents = manifests
    specs = dict(pod_specs(documents))
    assert len(specs) == 3  # api, worker, migrate
    for name, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"]["memory"], name
            assert container["resources"]["limits"]["memory"], name
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert "/tmp" in mounts, name


def test_secrets_come_from_existing_secrets_only(
    manifests: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = manifests
    assert by_kind(documents, "Secret") == []
    config = one(documents, "ConfigMap")["data"]
    assert not any(re.search(r"URL$|SECRET", key) and "JWKS" not in key for key in config)
    specs = dict(pod_specs(documents))
    for name, spec in specs.items():
        env = {e["name"]: e for e in spec["containers"][0].get("env", [])}
        assert "secretKeyRef" in env["XIETONG_DATABASE_URL"]["valueFrom"], name
        # Only the migration Job knows the table owner's URL.
        assert ("XIETONG_MIGRATION_DATABASE_URL" in env) == name.startswith("xt-xietong-migrate")


def test_api_probes_metrics_and_shutdown(manifests: tuple[str, list[dict[str, Any]]]) -> None:
    _, documents = manifests
    api = one(documents, "Deployment", "api")["spec"]["template"]["spec"]
    (container,) = api["containers"]
    assert container["args"] == ["serve"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    env = {e["name"]: e.get("value") for e in container["env"]}
    multiproc = env["PROMETHEUS_MULTIPROC_DIR"]
    assert multiproc in {m["mountPath"] for m in container["volumeMounts"]}
    assert (
        api["terminationGracePeriodSeconds"]
        > 20 + container["lifecycle"]["preStop"]["sleep"]["seconds"]
    )  # uvicorn drains for 20 s after the preStop pause
    worker = one(documents, "Deployment", "worker")["spec"]["template"]["spec"]
    assert worker["containers"][0]["args"] == ["worker"]
    assert worker["containers"][0]["livenessProbe"]["exec"]["command"] == [
        "xietong",
        "worker",
        "--check",
    ]


def test_migrations_run_once_as_a_hook_before_the_pods(
    manifests: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = manifests
    job = one(documents, "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # Hooks run before the release's ConfigMap and ServiceAccount exist: the Job needs neither.
    spec = job["spec"]["template"]["spec"]
    assert "serviceAccountName" not in spec
    assert "envFrom" not in spec["containers"][0]


# Settings the chart leaves at their defaults on purpose. A new setting in config.py must be
# added to the chart (ConfigMap, or a Secret reference for secrets) or here, with the reason.
NOT_IN_CHART = {
    "XIETONG_DATA_DIR": "embedded servers only; production never starts them",
    "XIETONG_TENANTS_DIR": "tenant loads are one-off commands (helm/README.md)",
    "XIETONG_DATABASE_ECHO": "development only: it would log SQL parameters",
    "XIETONG_AUDIT_RETIRED_SECRET_KEYS": "only where `audit verify` runs; never signs, so the"
    " serving pods need no retired secret",
}


def settings_in_config_py() -> set[str]:
    source = (ROOT / "src" / "xietong" / "config.py").read_text(encoding="utf-8")
    return {f"XIETONG_{name}" for name in re.findall(r'_env(?:_bool|_int)?\("([A-Z_]+)"', source)}


def test_config_map_sets_only_settings_the_code_reads(
    manifests: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = manifests
    known = settings_in_config_py()
    config = one(documents, "ConfigMap")["data"]
    ours = {key for key in config if key.startswith("XIETONG_")}
    assert ours - known == set(), "the chart sets variables config.py does not read"
    assert config["XIETONG_ENV"] == "production"
    assert config["XIETONG_GRAPHIQL"] == "false"
    assert config["XIETONG_INTROSPECTION"] == "false"


def test_every_setting_is_in_the_chart_or_left_out_on_purpose() -> None:
    """Keeps the chart current as later work adds settings."""
    documents = render(values(VALUE_SETS["production"]))
    given = set(one(documents, "ConfigMap")["data"])
    for _, spec in pod_specs(documents):
        given |= {e["name"] for c in spec["containers"] for e in c.get("env", [])}
    given.add("XIETONG_JWT_SECRET")  # from secrets.auth when set; this value set uses JWKS
    missing = settings_in_config_py() - given - set(NOT_IN_CHART)
    assert missing == set(), f"add {sorted(missing)} to the chart or to NOT_IN_CHART"


def test_production_values() -> None:
    documents = render(values(VALUE_SETS["production"]), upgrade=True)
    api = one(documents, "Deployment", "api")
    assert "replicas" not in api["spec"]  # the HPA owns it
    hpa = one(documents, "HorizontalPodAutoscaler")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 24)
    assert one(documents, "PodDisruptionBudget", "api")["spec"]["minAvailable"] == 2
    image = api["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith("registry.example.gov.cn/xietong/xietong@sha256:")
    (rule,) = one(documents, "Ingress")["spec"]["rules"]
    assert [p["path"] for p in rule["http"]["paths"]] == ["/graphql"]  # not /metrics
    policy = one(documents, "NetworkPolicy")["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    assert {doc["kind"] for doc in documents if doc["apiVersion"] in CUSTOM_RESOURCES} == {
        "ServiceMonitor",
        "PodMonitor",
    }
    env = {e["name"] for e in api["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "XIETONG_JWT_SECRET" not in env  # JWKS instead
    assert one(documents, "ConfigMap")["data"]["XIETONG_JWKS_URL"].startswith("https://")


def test_default_values_stay_small() -> None:
    documents = render({})
    kinds = sorted(doc["kind"] for doc in documents)
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "Deployment",
        "Job",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
    ]


@pytest.mark.parametrize(
    ("bad", "complaint"),
    [
        (values(CHART / "ci" / "wrong-type-values.yaml"), "/api/replicaCount"),
        ({"api": {"replicas": 3}}, "replicas"),  # a typo is an unknown key
        ({"image": {"digest": "latest"}}, "/image/digest"),
        ({"config": {"auth": {"jwksUrl": "http://idp/jwks"}}}, "/config/auth/jwksUrl"),
        ({"secrets": {"database": {"name": ""}}}, "/secrets/database/name"),
    ],
)
def test_bad_values_are_refused_at_install_time(bad: dict[str, Any], complaint: str) -> None:
    with pytest.raises(helm.HelmValuesError, match=re.escape(complaint)):
        render(bad)
    report = helm.lint(CHART, bad, strict=True)
    assert report["errors"], report


def test_the_api_metrics_need_a_token_and_suggestions_are_off() -> None:
    documents = render(values(VALUE_SETS["production"]))
    api = one(documents, "Deployment", "api")["spec"]["template"]
    env = {e["name"]: e for e in api["spec"]["containers"][0]["env"]}
    assert env["XIETONG_METRICS_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "xietong-metrics",
        "key": "token",
    }
    # annotation-based scrapers cannot send the token: only the worker pods are annotated
    assert not any(k.startswith("prometheus.io") for k in api["metadata"]["annotations"])
    worker = one(documents, "Deployment", "worker")["spec"]["template"]
    assert worker["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    (endpoint,) = one(documents, "ServiceMonitor")["spec"]["endpoints"]
    assert endpoint["authorization"] == {
        "type": "Bearer",
        "credentials": {"name": "xietong-metrics", "key": "token"},
    }
    config = one(documents, "ConfigMap")["data"]
    assert config["XIETONG_GRAPHQL_SUGGESTIONS"] == "false"
    assert config["XIETONG_TOKEN_MAX_MINUTES"] == "720"
    with pytest.raises(Exception, match=r"needs secrets\.metrics\.name"):
        render({"metrics": {"serviceMonitor": {"enabled": True}}})
    # without a token the API gets none (and serves no /metrics in production)
    default_api = one(render({}), "Deployment", "api")["spec"]["template"]["spec"]
    assert "XIETONG_METRICS_TOKEN" not in {e["name"] for e in default_api["containers"][0]["env"]}
