/**
 * The Spark Thrift Server a sql session runs (HiveServer2 on Spark SQL), as every back-end starts it:
 * its class, from jars/spark-hive-thriftserver_*.jar of every Spark distribution (pyspark's and the
 * apache/spark images' included), and the HiveServer2 settings the runtime's relays speak: binary
 * transport, no SASL (dbt-ocean-spark's NOSASL), on one address and port.
 */
export const THRIFT_SERVER_CLASS = 'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2';

/** The --hiveconf settings of a server the relays reach at bindHost:port. */
export function hiveServerConf(bindHost: string, port: number): Record<string, string> {
  return {
    'hive.server2.thrift.bind.host': bindHost,
    'hive.server2.thrift.port': String(port),
    'hive.server2.transport.mode': 'binary',
    'hive.server2.authentication': 'NOSASL',
  };
}

/** HiveThriftServer2's arguments for those settings, as start-thriftserver.sh passes them. */
export function hiveConfArguments(conf: Record<string, string>): string[] {
  return Object.entries(conf).flatMap(([key, value]) => ['--hiveconf', `${key}=${value}`]);
}
