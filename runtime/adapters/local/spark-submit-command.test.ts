import { describe, expect, it } from 'vitest';
import type { ApplicationConfig } from '../../domain/config';
import { DomainError } from '../../domain/errors';
import {
  SPARK_CONNECT_SERVER_CLASS,
  buildSparkSubmitCommand,
  chooseMaster,
  type SparkSubmitInput,
} from './spark-submit-command';
import { THRIFT_SERVER_CLASS } from '../thrift/thrift-server';

function input(config: ApplicationConfig, overrides: Partial<SparkSubmitInput> = {}): SparkSubmitInput {
  return {
    appId: 'daily-etl-1',
    config,
    sparkHome: '/opt/spark',
    examplesDir: '/repo/examples',
    eventLogDir: '/data/eventlogs/daily-etl-1',
    maxParallelism: 4,
    maxExecutorMemoryMiB: 2048,
    localCluster: true,
    bindAddress: '127.0.0.1',
    ...overrides,
  };
}

/** The --conf settings of a command as a map. */
function confOf(args: string[]): Record<string, string> {
  const conf: Record<string, string> = {};
  args.forEach((arg, i) => {
    if (arg !== '--conf') return;
    const setting = args[i + 1]!;
    const eq = setting.indexOf('=');
    conf[setting.slice(0, eq)] = setting.slice(eq + 1);
  });
  return conf;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const LIMITS = { maxParallelism: 4, maxExecutorMemoryMiB: 2048, localCluster: true };

describe('chooseMaster', () => {
  it('uses all allowed cores when the config says nothing', () => {
    expect(chooseMaster({}, LIMITS)).toEqual({ master: 'local[4]', notes: [] });
  });

  it('uses the driver cores when no executor is asked for', () => {
    expect(chooseMaster({ driver: { cores: 2 } }, LIMITS).master).toBe('local[2]');
  });

  it('runs one executor as local[cores]', () => {
    expect(chooseMaster({ executor: { instances: 1, cores: 3 } }, LIMITS).master).toBe('local[3]');
  });

  it('caps local[N] to the max parallelism and says so', () => {
    const result = chooseMaster({ executor: { instances: 1, cores: 16 } }, LIMITS);
    expect(result.master).toBe('local[4]');
    expect(result.notes).toEqual(['16 cores capped to 4 (max parallelism 4)']);
  });

  it('runs several executors as local-cluster[instances,cores,memoryMiB]', () => {
    const result = chooseMaster({ executor: { instances: 2, cores: 2, memory: '1g' } }, LIMITS);
    expect(result).toEqual({
      master: 'local-cluster[2,2,1024]',
      executorMemoryMiB: 1024,
      executorCores: 2,
      notes: [],
    });
  });

  it('fits executors to the max parallelism and executor memory to its cap', () => {
    const result = chooseMaster({ executor: { instances: 6, cores: 1, memory: '8Gi' } }, LIMITS);
    expect(result.master).toBe('local-cluster[4,1,2048]');
    expect(result.notes).toEqual([
      '6 executors x 1 cores capped to 4 x 1 (max parallelism 4)',
      'executor memory 8192 MiB capped to 2048 MiB',
    ]);
  });

  it("defaults the executor memory to Spark's 1g in local-cluster", () => {
    expect(chooseMaster({ executor: { instances: 2 } }, LIMITS).master).toBe('local-cluster[2,1,1024]');
  });

  it('falls back to local[N] when two executors do not fit, with the reason', () => {
    const result = chooseMaster({ executor: { instances: 3, cores: 4 } }, LIMITS);
    expect(result.master).toBe('local[4]');
    expect(result.notes[0]).toBe('3 executors x 4 cores do not fit 4 cores as two executors or more; running local[N]');
  });

  it('falls back to local[N] when local-cluster is disabled', () => {
    const result = chooseMaster({ executor: { instances: 2, cores: 1 } }, { ...LIMITS, localCluster: false });
    expect(result.master).toBe('local[2]');
    expect(result.notes[0]).toContain('local-cluster is disabled');
  });
});

describe('buildSparkSubmitCommand', () => {
  it('runs a Python file of the Spark install with event logging into the application directory', () => {
    const command = buildSparkSubmitCommand(
      input({
        type: 'Python',
        mainApplicationFile: 'spark-home://examples/src/main/python/pi.py',
        arguments: ['10'],
        executor: { instances: 1, cores: 2 },
      }),
    );
    expect(command.executable).toBe('/opt/spark/bin/spark-submit');
    expect(command.master).toBe('local[2]');
    expect(command.args.slice(0, 4)).toEqual(['--master', 'local[2]', '--deploy-mode', 'client']);
    expect(command.args.slice(-2)).toEqual(['/opt/spark/examples/src/main/python/pi.py', '10']);
    expect(command.args).not.toContain('--class');
    expect(confOf(command.args)).toEqual({
      'spark.app.name': 'daily-etl-1',
      'spark.driver.host': '127.0.0.1',
      'spark.driver.bindAddress': '127.0.0.1',
      'spark.executor.cores': '2',
      'spark.ui.proxyBase': '/api/v1/applications/daily-etl-1/spark-ui',
      'spark.ui.reverseProxy': 'false',
      'spark.ui.killEnabled': 'false',
      'spark.eventLog.enabled': 'true',
      'spark.eventLog.dir': '/data/eventlogs/daily-etl-1',
      'spark.eventLog.logStageExecutorMetrics': 'true',
      'spark.eventLog.compress': 'false',
      'spark.executor.metrics.pollingInterval': '1s',
      'spark.executor.processTreeMetrics.enabled': 'true',
    });
    expect(command.localFiles).toEqual([
      { field: 'mainApplicationFile', path: '/opt/spark/examples/src/main/python/pi.py' },
    ]);
  });

  it('runs a jar with its main class, resources and dependencies', () => {
    const command = buildSparkSubmitCommand(
      input({
        type: 'Scala',
        mainApplicationFile: 'local:///opt/jobs/etl.jar',
        mainClass: 'com.example.Etl',
        arguments: ['--date', '2026-01-01'],
        driver: { cores: 1, memory: '2Gi', javaOptions: '-Dx=1', envVars: { STAGE: 'prod' } },
        executor: { instances: 2, cores: 2, memory: '1536m', javaOptions: '-Dy=2', envVars: { TZ: 'UTC' } },
        deps: {
          jars: ['examples://lib/a.jar', 'https://repo.example.com/b.jar'],
          files: ['/etc/app.conf'],
          packages: ['org.apache.spark:spark-avro_2.13:4.0.1'],
          repositories: ['https://repo.example.com'],
          excludePackages: ['log4j:log4j'],
        },
      }),
    );
    expect(command.master).toBe('local-cluster[2,2,1536]');
    expect(flag(command.args, '--class')).toBe('com.example.Etl');
    expect(flag(command.args, '--driver-memory')).toBe('2048m');
    expect(flag(command.args, '--driver-cores')).toBe('1');
    expect(flag(command.args, '--driver-java-options')).toBe('-Dx=1');
    expect(flag(command.args, '--jars')).toBe('/repo/examples/lib/a.jar,https://repo.example.com/b.jar');
    expect(flag(command.args, '--files')).toBe('/etc/app.conf');
    expect(flag(command.args, '--packages')).toBe('org.apache.spark:spark-avro_2.13:4.0.1');
    expect(flag(command.args, '--repositories')).toBe('https://repo.example.com');
    expect(flag(command.args, '--exclude-packages')).toBe('log4j:log4j');
    expect(command.args.slice(-3)).toEqual(['/opt/jobs/etl.jar', '--date', '2026-01-01']);
    expect(confOf(command.args)).toMatchObject({
      'spark.executor.memory': '1536m',
      'spark.executor.cores': '2',
      'spark.executor.extraJavaOptions': '-Dy=2',
      'spark.executorEnv.TZ': 'UTC',
    });
    expect(command.env).toEqual({ SPARK_LOCAL_IP: '127.0.0.1', STAGE: 'prod' });
    expect(command.localFiles.map((f) => f.field)).toEqual(['mainApplicationFile', 'deps.jars[0]', 'deps.files[0]']);
  });

  it('passes sparkConf and hadoopConf, keeps the event log settings its own and notes the override', () => {
    const command = buildSparkSubmitCommand(
      input({
        mainApplicationFile: '/jobs/job.py',
        sparkConf: { 'spark.sql.shuffle.partitions': '8', 'spark.eventLog.dir': '/elsewhere', 'spark.app.name': 'x' },
        hadoopConf: { 'fs.s3a.fast.upload': 'true' },
        memoryOverheadFactor: '0.4',
      }),
    );
    const conf = confOf(command.args);
    expect(conf).toMatchObject({
      'spark.sql.shuffle.partitions': '8',
      'spark.hadoop.fs.s3a.fast.upload': 'true',
      'spark.app.name': 'x',
      'spark.eventLog.dir': '/data/eventlogs/daily-etl-1',
      'spark.driver.memoryOverheadFactor': '0.4',
    });
    expect(command.args.filter((arg) => arg.startsWith('spark.eventLog.dir='))).toHaveLength(1);
    expect(command.notes).toContain('sparkConf spark.eventLog.dir=/elsewhere replaced by /data/eventlogs/daily-etl-1');
  });

  it("serves the UI at the chosen port under the proxy's path, without kill links, whatever the application asked", () => {
    const command = buildSparkSubmitCommand(
      input(
        {
          mainApplicationFile: '/j/app.py',
          sparkConf: { 'spark.ui.killEnabled': 'true', 'spark.ui.port': '4040', 'spark.ui.reverseProxy': 'true' },
        },
        { uiPort: 41234 },
      ),
    );
    expect(confOf(command.args)).toMatchObject({
      'spark.ui.port': '41234',
      'spark.ui.proxyBase': '/api/v1/applications/daily-etl-1/spark-ui',
      'spark.ui.reverseProxy': 'false',
      'spark.ui.killEnabled': 'false',
    });
    expect(command.args.filter((arg) => arg.startsWith('spark.ui.port='))).toHaveLength(1);
    expect(command.notes).toEqual([
      'sparkConf spark.ui.reverseProxy=true replaced by false',
      'sparkConf spark.ui.killEnabled=true replaced by false',
      'sparkConf spark.ui.port=4040 replaced by 41234',
    ]);
  });

  it('binds the driver, its block manager and UI to the bind address, in the environment and the settings', () => {
    const command = buildSparkSubmitCommand(input({ mainApplicationFile: '/j/app.py' }, { bindAddress: '10.0.0.7' }));
    expect(command.env).toEqual({ SPARK_LOCAL_IP: '10.0.0.7' });
    expect(confOf(command.args)).toMatchObject({
      'spark.driver.host': '10.0.0.7',
      'spark.driver.bindAddress': '10.0.0.7',
    });
  });

  it("lets the application's own sparkConf and driver environment choose the addresses", () => {
    const command = buildSparkSubmitCommand(
      input({
        mainApplicationFile: '/j/app.py',
        sparkConf: { 'spark.driver.host': 'driver.example.com', 'spark.driver.bindAddress': '0.0.0.0' },
        driver: { envVars: { SPARK_LOCAL_IP: '0.0.0.0' } },
      }),
    );
    expect(command.env).toEqual({ SPARK_LOCAL_IP: '0.0.0.0' });
    const conf = confOf(command.args);
    expect(conf['spark.driver.host']).toBe('driver.example.com');
    expect(conf['spark.driver.bindAddress']).toBe('0.0.0.0');
    expect(command.args.filter((arg) => arg.startsWith('spark.driver.host='))).toHaveLength(1);
    expect(command.notes).toEqual([]);
  });

  it('takes a .py main file as Python and a jar without mainClass as its manifest says', () => {
    expect(buildSparkSubmitCommand(input({ mainApplicationFile: '/j/app.jar' })).args).not.toContain('--class');
    expect(
      buildSparkSubmitCommand(input({ mainApplicationFile: '/j/app.py', mainClass: 'Ignored' })).args,
    ).not.toContain('--class');
  });

  it('refuses a config without main file, naming the field', () => {
    expect(() => buildSparkSubmitCommand(input({}))).toThrow(
      'mainApplicationFile: is required: expected the .py file or the jar to run',
    );
  });

  it('refuses a Java application without a jar or a main class', () => {
    const run = () => buildSparkSubmitCommand(input({ type: 'Java', mainApplicationFile: '/j/classes/' }));
    expect(run).toThrow(DomainError);
    expect(run).toThrow('mainClass: is required for a Java application whose main file is not a jar');
  });

  it('refuses a relative path in a dependency, naming its index', () => {
    expect(() =>
      buildSparkSubmitCommand(input({ mainApplicationFile: '/j/app.py', deps: { pyFiles: ['/ok.zip', 'lib.zip'] } })),
    ).toThrow('deps.pyFiles[1]: "lib.zip" is a relative path');
  });
});

describe('a session: the Spark Connect server', () => {
  it('runs SparkConnectServer with no main file, bound to the address and port given, with the event log on', () => {
    const command = buildSparkSubmitCommand(
      input(
        { driver: { memory: '512m' }, sparkConf: { 'spark.sql.shuffle.partitions': '4' } },
        { connectPort: 41_002 },
      ),
    );
    expect(flag(command.args, '--class')).toBe(SPARK_CONNECT_SERVER_CLASS);
    expect(flag(command.args, '--driver-memory')).toBe('512m');
    // the primary resource of a class already on the classpath, last
    expect(command.args.at(-1)).toBe('spark-internal');
    expect(confOf(command.args)).toMatchObject({
      'spark.connect.grpc.binding.address': '127.0.0.1',
      'spark.connect.grpc.binding.port': '41002',
      'spark.driver.bindAddress': '127.0.0.1',
      'spark.eventLog.enabled': 'true',
      'spark.sql.shuffle.partitions': '4',
    });
    expect(command.env.SPARK_LOCAL_IP).toBe('127.0.0.1');
    expect(command.localFiles).toEqual([]);
  });

  it('says a main file is ignored, and its port wins over one in sparkConf', () => {
    const command = buildSparkSubmitCommand(
      input(
        { mainApplicationFile: 'examples://pi.py', sparkConf: { 'spark.connect.grpc.binding.port': '15002' } },
        { connectPort: 41_003 },
      ),
    );
    expect(confOf(command.args)['spark.connect.grpc.binding.port']).toBe('41003');
    expect(command.notes).toContain(
      'mainApplicationFile examples://pi.py ignored: a session runs the Spark Connect server',
    );
    expect(command.args).not.toContain('/repo/examples/pi.py');
  });
});

describe('a sql session: the Spark Thrift Server', () => {
  const thriftServer = { port: 41_004, dir: '/data/apps/sql-1' };

  it('runs HiveThriftServer2 on the address and port given, NOSASL, its metastore and warehouse in the application directory', () => {
    const command = buildSparkSubmitCommand(input({ driver: { memory: '512m' } }, { thriftServer }));
    expect(flag(command.args, '--class')).toBe(THRIFT_SERVER_CLASS);
    expect(flag(command.args, '--driver-memory')).toBe('512m');
    expect(confOf(command.args)).toMatchObject({
      'spark.sql.catalogImplementation': 'hive',
      'spark.sql.warehouse.dir': '/data/apps/sql-1/warehouse',
      'spark.hadoop.javax.jdo.option.ConnectionURL':
        'jdbc:derby:;databaseName=/data/apps/sql-1/metastore_db;create=true',
      'spark.driver.bindAddress': '127.0.0.1',
      'spark.eventLog.enabled': 'true',
    });
    // the server's own options follow the primary resource, as start-thriftserver.sh passes them
    const tail = command.args.slice(command.args.indexOf('spark-internal') + 1);
    expect(tail).toEqual([
      '--hiveconf',
      'hive.server2.thrift.bind.host=127.0.0.1',
      '--hiveconf',
      'hive.server2.thrift.port=41004',
      '--hiveconf',
      'hive.server2.transport.mode=binary',
      '--hiveconf',
      'hive.server2.authentication=NOSASL',
    ]);
  });

  it("says which of the config's settings it replaced", () => {
    const command = buildSparkSubmitCommand(
      input(
        { sparkConf: { 'spark.sql.warehouse.dir': '/elsewhere' }, mainApplicationFile: '/j/app.py' },
        { thriftServer },
      ),
    );
    expect(confOf(command.args)['spark.sql.warehouse.dir']).toBe('/data/apps/sql-1/warehouse');
    expect(command.notes).toEqual([
      'sparkConf spark.sql.warehouse.dir=/elsewhere replaced by /data/apps/sql-1/warehouse',
      'mainApplicationFile /j/app.py ignored: a session runs the Spark Thrift Server',
    ]);
  });
});
