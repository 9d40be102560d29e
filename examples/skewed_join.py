"""A join of generated facts to a generated dimension where one key holds a large share of the facts.

Usage: skewed_join.py [facts] [keys] [hot_share]
`facts` rows, a `hot_share` of them (0..1) on key 0 and the rest spread over `keys` keys, joined
to a `keys`-row dimension (a shuffle join, see below), then summed per dimension group. Prints `checksum=<n>`, which only depends on the arguments.
"""

import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

facts = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
keys = int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
hot_share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.3

spark = SparkSession.builder.appName("skewed-join").getOrCreate()

hot_rows = int(facts * hot_share)
# Spark estimates a string at 20 bytes: with a string on each fact and ten labels on each key, both
# sides stay above the 10 MiB broadcast threshold from 500000 facts and 100000 keys on, so the join
# is planned as a shuffle join, as a large fact table's would be
fact = spark.range(facts).select(
    F.when(F.col("id") < hot_rows, F.lit(0)).otherwise(F.col("id") % keys).alias("key"),
    ((F.col("id") * 7919) % 1000).alias("amount"),
    F.concat(F.lit("order-"), F.col("id").cast("string")).alias("reference"),
)
labels = [
    F.substring(F.sha2(F.concat(F.col("id").cast("string"), F.lit(str(i))), 256), 1, 16).alias(f"label{i}")
    for i in range(10)
]
dimension = spark.range(keys).select(F.col("id").alias("key"), (F.col("id") % 50).alias("grp"), *labels)
width = sum(F.length(f"label{i}") for i in range(10)) + F.length("reference")
joined = fact.join(dimension, "key").groupBy("grp").agg(
    F.sum("amount").alias("total"), F.count("*").alias("n"), F.max(width).alias("width")
)
summary = joined.agg(
    F.count("*").alias("groups"),
    F.sum("n").alias("rows"),
    F.sum(F.col("grp") * 31 + F.col("total") + F.col("width")).alias("checksum"),
).first()
print(f"groups={summary['groups']} rows={summary['rows']}")
print(f"checksum={summary['checksum']}")
spark.stop()
