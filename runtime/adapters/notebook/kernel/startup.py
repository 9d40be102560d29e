"""Run in the notebook's namespace as the kernel starts: `spark` (and `sc`) ready to use."""

import atexit as _atexit
import json as _json
import os as _os

from pyspark.sql import SparkSession as _SparkSession

_builder = _SparkSession.builder
for _key, _value in _json.loads(_os.environ.get("KERNEL_SPARKPLANE_CONF", "{}")).items():
    _builder = _builder.config(_key, _value)
spark = _builder.getOrCreate()
sc = spark.sparkContext
# a kernel shut down (or restarted) ends its Spark application cleanly: the event log is complete
_atexit.register(spark.stop)
del _builder, _key, _value
