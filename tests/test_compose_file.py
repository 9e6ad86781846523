"""docker-compose.yml, as the real `docker compose` resolves it.

Needs the Docker CLI with the Compose plugin, not a Docker engine:
`docker compose config` only reads and normalises the file.
"""

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
PROMETHEUS_CONFIG = REPO / "deploy" / "prometheus" / "prometheus.docker.yml"
PROMETHEUS_RULES = REPO / "deploy" / "prometheus" / "rules"
PLUGIN_SCRIPT = "deploy/local/compose-plugin.sh"

APP_PORTS = {"intake": 8001, "router": 8002, "casework": 8003, "notifier": 8004}
INFRA = ("kafka", "mongodb", "prometheus")

SERVICE_ENV = {
    "GRIDLOOP_KAFKA_BOOTSTRAP": "kafka:9092",
    "GRIDLOOP_MONGO_URL": "mongodb://mongodb:27017",
    "GRIDLOOP_MONGO_DB": "gridloop",
    "GRIDLOOP_HTTP_HOST": "0.0.0.0",
    "GRIDLOOP_ENV": "compose",
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # Variables such as COMPOSE_FILE or COMPOSE_PROFILES in the caller's shell
    # would change what is resolved; leave them out.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    return subprocess.run(
        ["docker", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
        check=False,
    )


@functools.cache
def _outcome() -> tuple[dict[str, Any] | None, str]:
    """Resolve the compose file once; give the config or why there is none."""
    hint = f"run {PLUGIN_SCRIPT} to build and install the Docker Compose plugin"
    if shutil.which("docker") is None:
        return None, f"the docker CLI is not on PATH; install it, then {hint}"
    version = _run("compose", "version")
    if version.returncode != 0:
        return None, (
            f"`docker compose` is not available ({version.stderr.strip()!r}); {hint}"
        )
    result = _run("compose", "-f", str(COMPOSE_FILE), "config", "--format", "json")
    if result.returncode != 0:
        return None, (
            f"`docker compose config` exited {result.returncode}:\n{result.stderr}"
        )
    return json.loads(result.stdout), ""


def compose_config() -> dict[str, Any]:
    config, problem = _outcome()
    if config is None:
        pytest.fail(problem, pytrace=False)
    return config


def service(name: str) -> dict[str, Any]:
    services = compose_config()["services"]
    assert name in services, f"no service {name!r} in docker-compose.yml"
    found: dict[str, Any] = services[name]
    return found


def test_config_resolves_with_every_service() -> None:
    services = compose_config()["services"]

    assert set(services) >= {*INFRA, *APP_PORTS}


@pytest.mark.parametrize(("name", "port"), APP_PORTS.items())
def test_app_service_runs_its_module_from_the_project_image(name: str, port: int) -> None:
    svc = service(name)

    assert svc["command"] == ["python", "-m", f"services.{name}"]
    assert Path(svc["build"]["context"]) == REPO
    assert svc["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
    assert svc["restart"] == "unless-stopped"
    assert svc["environment"].items() >= SERVICE_ENV.items()


@pytest.mark.parametrize(("name", "port"), APP_PORTS.items())
def test_app_service_publishes_its_port(name: str, port: int) -> None:
    ports = service(name)["ports"]

    assert {(p["target"], str(p["published"])) for p in ports} == {(port, str(port))}


@pytest.mark.parametrize(("name", "port"), APP_PORTS.items())
def test_app_service_is_healthy_only_when_ready(name: str, port: int) -> None:
    check = service(name)["healthcheck"]

    assert not check.get("disable", False)
    assert check["test"][0] == "CMD"
    assert f"http://127.0.0.1:{port}/readyz" in " ".join(check["test"])


@pytest.mark.parametrize("name", APP_PORTS)
def test_app_service_waits_for_healthy_kafka_and_mongodb(name: str) -> None:
    depends = service(name)["depends_on"]

    for dependency in ("kafka", "mongodb"):
        assert dependency in depends, f"{name} does not depend on {dependency}"
        assert depends[dependency]["condition"] == "service_healthy"


def test_kafka_is_a_single_kraft_node_with_a_health_check() -> None:
    kafka = service("kafka")
    env = kafka["environment"]

    assert kafka["image"].startswith("apache/kafka:4.")
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert any(v["type"] == "volume" for v in kafka["volumes"])
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in kafka["healthcheck"]["test"]


def test_mongodb_has_a_volume_and_a_ping_health_check() -> None:
    mongodb = service("mongodb")

    assert mongodb["image"] == "mongo:8.0"
    volumes = {v["target"]: v["type"] for v in mongodb["volumes"]}
    assert volumes.get("/data/db") == "volume"
    assert "mongosh" in mongodb["healthcheck"]["test"]


def test_prometheus_scrapes_the_services_once_they_are_healthy() -> None:
    prometheus = service("prometheus")
    mounts = {v["target"]: v for v in prometheus["volumes"]}

    config_mount = mounts["/etc/prometheus/prometheus.yml"]
    assert Path(config_mount["source"]) == PROMETHEUS_CONFIG
    assert PROMETHEUS_CONFIG.is_file()
    assert Path(mounts["/etc/prometheus/rules"]["source"]) == PROMETHEUS_RULES
    for name in APP_PORTS:
        assert prometheus["depends_on"][name]["condition"] == "service_healthy"
    scrape_config = PROMETHEUS_CONFIG.read_text()
    for name, port in APP_PORTS.items():
        assert f'"{name}:{port}"' in scrape_config


def test_grafana_is_provisioned_with_the_dashboards() -> None:
    grafana = service("grafana")
    mounts = {v["target"]: Path(v["source"]) for v in grafana["volumes"] if "source" in v}

    assert mounts["/var/lib/grafana/dashboards"] == REPO / "deploy/grafana/dashboards"
    assert mounts["/etc/grafana/provisioning"] == REPO / "deploy/grafana/provisioning"
    assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert (REPO / "deploy/grafana/provisioning/dashboards/gridloop.yml").is_file()
