"""A small real Spark run for the event-log benchmark: many short tasks (reads, a shuffle, a sort),
so its log has the event mix of a real application: mostly TaskEnd lines by bytes."""
import sys

from pyspark.sql import SparkSession

out_dir = sys.argv[1]
spark = SparkSession.builder.appName("sparkplane-eventlog-bench").getOrCreate()
df = spark.range(0, 400_000, 1, 8).selectExpr("id", "id % 101 as k", "cast(rand(3) * 1000 as int) as v")
df.write.mode("overwrite").parquet(f"{out_dir}/in")
back = spark.read.parquet(f"{out_dir}/in")
back.groupBy("k").sum("v").write.mode("overwrite").parquet(f"{out_dir}/agg")
back.orderBy("v").write.mode("overwrite").parquet(f"{out_dir}/sorted")
spark.stop()
