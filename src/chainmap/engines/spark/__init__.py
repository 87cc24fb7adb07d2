"""chainmap on Apache Spark: the same analyses for graphs beyond one machine.

``pip install 'chainmap[spark]'`` (pyspark, Java 17). Each function mirrors
the core's and returns the core's result types; the first argument is a
columnar graph path Spark can read (local, ``hdfs://``, ``s3a://``), a
loaded :class:`~chainmap.graph.SupplyGraph`, or a :class:`SparkGraph`;
``spark`` is a SparkSession (default: the active one, else a loopback-only
``local[2]`` session). See docs/spark.md.

>>> from chainmap.engines import spark as sp   # doctest: +SKIP
>>> sp.simulate("big.parquet/", Scenario(remove=("US",)))   # doctest: +SKIP
"""

from __future__ import annotations

from chainmap.engines.spark.analyses import (
    bottlenecks,
    cut_sets,
    load,
    priorities,
    simulate,
    single_points_of_failure,
    spof_sets,
)
from chainmap.engines.spark.session import get_session, local_session
from chainmap.engines.spark.tables import SparkGraph

__all__ = ["SparkGraph", "bottlenecks", "cut_sets", "get_session", "load", "local_session", "priorities",
           "simulate", "single_points_of_failure", "spof_sets"]
