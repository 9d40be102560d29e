import org.apache.spark.sql.SparkSession;

/**
 * A small Spark application in Java: sums 1..n (n from the first argument, default 1000) on Spark and
 * prints "sum=<value>". With "fail" as the second argument it divides by zero, to show a failed run.
 */
public final class RangeSum {
  public static void main(String[] args) {
    long n = args.length > 0 ? Long.parseLong(args[0]) : 1000L;
    SparkSession spark = SparkSession.builder().appName("range-sum").getOrCreate();
    try {
      long sum = spark.range(1, n + 1).selectExpr("sum(id) AS total").first().getLong(0);
      System.out.println("sum=" + sum);
      if (args.length > 1 && args[1].equals("fail")) {
        System.out.println(sum / (n - n));
      }
    } finally {
      spark.stop();
    }
  }
}
