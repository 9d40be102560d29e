"""Run in the notebook's namespace as the kernel starts: `spark` (and `sc`) ready to use."""

import atexit as _atexit
import json as _json
import os as _os

from pyspark.sql import SparkSession as _SparkSession

_remote = _os.environ.get("KERNEL_SPARKPLANE_REMOTE")
if _remote:
    # the notebook's Spark runs in its cluster: `spark` is a Spark Connect client of its server there
    # (its settings are the server's; a Connect session has no SparkContext, so no `sc`)
    spark = _SparkSession.builder.remote(_remote).getOrCreate()
else:
    _builder = _SparkSession.builder
    for _key, _value in _json.loads(_os.environ.get("KERNEL_SPARKPLANE_CONF", "{}")).items():
        _builder = _builder.config(_key, _value)
    spark = _builder.getOrCreate()
    sc = spark.sparkContext
    del _builder, _key, _value
# a kernel shut down (or restarted) ends its Spark application (or Connect session) cleanly: the event log is complete
_atexit.register(spark.stop)
del _remote
