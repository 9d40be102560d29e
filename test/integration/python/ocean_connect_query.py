"""Runs a query with a shuffle through sparkplane's /connect WebSocket with the ocean-spark-connect client.

Usage: ocean_connect_query.py <host:port> <clusterId> <appId> <token>; prints the rows as JSON.
"""
import json
import sys

from ocean_spark_connect.ocean_spark_session import OceanSparkSession

host, cluster_id, app_id, token = sys.argv[1:5]
spark = (
    OceanSparkSession.Builder()
    .cluster_id(cluster_id)
    .appid(app_id)
    .account_id("act-sparkplane")
    .token(token)
    .host(host)
    .scheme("ws")
    .getOrCreate()
)
try:
    # groupBy shuffles: 1000 ids into 10 keys of 100 each
    # string expressions: pyspark 3.5's functions module needs a classic SparkContext unless .remote() was used;
    # four partitions, so that grouping needs an exchange (one partition would already be clustered)
    rows = spark.range(0, 1000, 1, 4).selectExpr("id % 10 as k").groupBy("k").count().orderBy("k").collect()
    print(json.dumps([{"k": r["k"], "count": r["count"]} for r in rows]))
finally:
    spark.stop()
