"""A shuffle-heavy aggregation over generated data.

Usage: shuffle_aggregation.py [rows] [groups] [output]
Generates `rows` rows with spark.range, groups them by `groups` keys (a full shuffle), writes the
aggregate as parquet and prints `checksum=<n>`, which only depends on rows and groups:
the same arguments always print the same checksum.
"""

import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
groups = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
output = sys.argv[3] if len(sys.argv) > 3 else "shuffle-aggregation-output"

spark = SparkSession.builder.appName("shuffle-aggregation").getOrCreate()

events = spark.range(rows).select(
    (F.col("id") % groups).alias("key"),
    ((F.col("id") * 7919) % 1000).alias("amount"),
    (F.col("id") % 13).alias("category"),
)
aggregated = events.groupBy("key").agg(
    F.count("*").alias("events"),
    F.sum("amount").alias("total"),
    F.max("amount").alias("largest"),
    F.countDistinct("category").alias("categories"),
)
aggregated.write.mode("overwrite").parquet(output)

written = spark.read.parquet(output)
summary = written.agg(
    F.count("*").alias("keys"),
    F.sum("events").alias("events"),
    F.sum(F.col("key") * 31 + F.col("total") + F.col("largest") + F.col("categories")).alias("checksum"),
).first()
print(f"keys={summary['keys']} events={summary['events']} output={output}")
print(f"checksum={summary['checksum']}")
spark.stop()
