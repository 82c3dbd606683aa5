"""Dataset packs: the checks and preflight tests of a kind of real dataset, ready for a ``Gate``.

* ``dq.packs.redshift_stl``: Amazon Redshift STL system tables exported to S3 by the "retain
  system tables" solution (Parquet partitioned by ``clusterid`` / ``startdate``).
"""

from dq.packs.redshift_stl import STL_TABLES, stl_checks, stl_gate, stl_preflight

__all__ = ["STL_TABLES", "stl_checks", "stl_gate", "stl_preflight"]
