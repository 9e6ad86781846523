"""The machine and the servers the figures were measured on."""

import os
import platform
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench.servers import kafka_version


def _cpuinfo_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return 0.0


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                name = line.split("=", 1)[1].strip().strip('"')
                return f"{name}, Linux {platform.release()}"
    except OSError:
        pass
    return platform.platform()


async def _ferretdb_version(mongo: AsyncMongoClient[dict[str, Any]]) -> str:
    info = await mongo.admin.command("buildInfo")
    ferret = info.get("ferretdbVersion") or info.get("ferretdbFeatures", {}).get("version")
    return f"FerretDB {ferret}" if ferret else f"MongoDB {info.get('version', '?')}"


async def describe(mongo: AsyncMongoClient[dict[str, Any]]) -> dict[str, Any]:
    """CPU, cores, memory, OS, Python, Kafka and database server versions, and the load."""
    return {
        "cpu": _cpuinfo_model(),
        "cores": os.cpu_count(),
        "ram_gb": _memory_gb(),
        "os": _os_name(),
        "python": platform.python_version(),
        "kafka": kafka_version(),
        "database": await _ferretdb_version(mongo),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
