"""A Spark session for chainmap: loopback-only in local mode, small shuffles.

:func:`get_session` returns the active session when there is one (a cluster
job started by ``spark-submit`` keeps its own configuration) and otherwise
starts a local one bound to 127.0.0.1: ``SPARK_LOCAL_IP``,
``spark.driver.host`` and ``spark.driver.bindAddress`` are all loopback, so
the driver never listens on the machine's network interface.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

__all__ = ["LOOPBACK", "get_session", "java_available", "local_session"]

LOOPBACK = "127.0.0.1"


def java_available() -> bool:
    """True when a ``java`` executable is on PATH or under ``JAVA_HOME``."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def local_session(master: str = "local[2]", ui: bool = False, shuffle_partitions: int | None = None,
                  app_name: str = "chainmap", extra: dict[str, str] | None = None,
                  memory: str | None = None) -> Any:
    """A local SparkSession that binds and talks to 127.0.0.1 only.

    ``shuffle_partitions`` defaults to the local cores (Spark's 200 is
    for clusters); the UI is off unless asked for. ``memory`` is the
    driver's heap (in local mode the driver runs every task): default
    ``CHAINMAP_SPARK_MEMORY`` or half the machine's memory (Spark's own
    default, 1g, spills a 1M-component graph to disk). A checkpoint
    directory under the system temp dir is set (the propagation checkpoints
    every few rounds).
    """
    os.environ["SPARK_LOCAL_IP"] = LOOPBACK
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", _python()))
    from pyspark.sql import SparkSession

    cores = _cores(master)
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.driver.host", LOOPBACK)
               .config("spark.driver.bindAddress", LOOPBACK)
               .config("spark.ui.enabled", "true" if ui else "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions or max(2, cores)))
               .config("spark.default.parallelism", str(max(2, 2 * cores)))
               .config("spark.sql.adaptive.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", memory or os.environ.get("CHAINMAP_SPARK_MEMORY") or _half_memory()))
    for key, value in (extra or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if not spark.sparkContext.getCheckpointDir():
        folder = tempfile.mkdtemp(prefix="chainmap-spark-ckpt-")
        spark.sparkContext.setCheckpointDir(folder)
        atexit.register(shutil.rmtree, folder, True)  # local checkpoints are scratch: gone with the process
    return spark


def get_session(spark: Any = None) -> Any:
    """``spark`` if given, else the active session, else a new :func:`local_session`."""
    if spark is not None:
        return spark
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    return active if active is not None else local_session()


def _cores(master: str) -> int:
    inside = master[master.find("[") + 1:master.find("]")] if "[" in master else "1"
    if inside == "*":
        return os.cpu_count() or 1
    try:
        return max(1, int(inside.split(",")[0]))
    except ValueError:
        return 1


def _half_memory() -> str:
    """Half the physical memory as a JVM size (``"11g"``), at least 1g."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "2g"
    return f"{max(1, total // 2 // 2**30)}g"


def _python() -> str:
    import sys

    return sys.executable
