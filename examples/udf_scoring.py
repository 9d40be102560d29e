"""A PySpark job bound by a row-at-a-time Python UDF, over generated data.

Usage: udf_scoring.py [rows] [loops]
Scores `rows` generated rows with a Python UDF that loops `loops` times per row (CPU in the Python
workers, not the JVM), groups the scores by bucket (a small shuffle) and prints `checksum=<n>`,
which only depends on rows and loops.
"""

import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
loops = int(sys.argv[2]) if len(sys.argv) > 2 else 100

spark = SparkSession.builder.appName("udf-scoring").getOrCreate()


@F.udf(LongType())
def score(x):
    s = 0
    for i in range(loops):
        s += (x * (i + 1)) % 7
    return s


# as many partitions as the master has task slots: more cores, more Python workers
scored = spark.range(rows).select((F.col("id") % 97).alias("bucket"), score("id").alias("score"))
summary = scored.groupBy("bucket").agg(F.sum("score").alias("total")).agg(
    F.count("*").alias("buckets"), F.sum(F.col("bucket") * 31 + F.col("total")).alias("checksum")
).first()
print(f"buckets={summary['buckets']}")
print(f"checksum={summary['checksum']}")
spark.stop()
