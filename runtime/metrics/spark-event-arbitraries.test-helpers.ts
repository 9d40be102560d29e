/**
 * fast-check arbitraries of Spark event-log events, as JSON objects in the field order and nesting
 * Spark 4's JsonProtocol writes (a real local run's log shows the same), for the decoder tests.
 * `plain` values are what Spark writes (longs, plain ids); `odd` values mix in what it never
 * writes (fractions, huge or negative numbers, null, escapes, any Unicode), to reach every
 * fallback of the fast decoder.
 */
import fc, { type JsonValue } from 'fast-check';

/** A JSON object, as fast-check types it. */
export type Json = { [key in string]?: JsonValue };

interface Values {
  long: fc.Arbitrary<JsonValue>;
  id: fc.Arbitrary<JsonValue>;
  text: fc.Arbitrary<string>;
}

const noItems = fc.constant<JsonValue[]>([]);
const noFields = fc.constant<Json>({});

const plainValues: Values = {
  long: fc.nat({ max: 2 ** 41 }),
  id: fc.oneof(fc.constant('driver'), fc.nat({ max: 999 }).map(String)),
  text: fc.oneof(
    fc.constantFrom('count at x.py:1', 'parquet at NativeMethodAccessorImpl.java:0'),
    // Spark writes scopes as escaped JSON, and stack traces with newlines
    fc.constant('{"id":"1","name":"WholeStageCodegen (1)"}'),
    fc.constant('org.apache.spark.sql.Dataset.count(Dataset.scala:3611)\npy4j.Gateway.invoke(Gateway.java:282)'),
    fc.string(),
  ),
};

const oddValues: Values = {
  long: fc.oneof(
    { weight: 6, arbitrary: plainValues.long },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.integer({ min: -(2 ** 41), max: -1 }),
        fc.double(),
        fc.constantFrom(2 ** 60, Number.MAX_SAFE_INTEGER, 1e21, 0.5),
        // integers past 2^53, where reading digit by digit rounds otherwise than JSON.parse
        fc.double({ min: 2 ** 53, max: 1e20, noNaN: true }).map(Math.floor),
        fc.constantFrom(null, true, '12'),
      ),
    },
  ),
  id: fc.oneof(
    { weight: 3, arbitrary: plainValues.id },
    { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('a"b', 'a\\', '}', 7, null)) },
  ),
  text: fc.oneof(plainValues.text, fc.string({ unit: 'binary' }), fc.constantFrom('a}"]\\', '"Finish Time":1,')),
};

const EXECUTOR_METRIC_NAMES = [
  'JVMHeapMemory',
  'JVMOffHeapMemory',
  'OnHeapExecutionMemory',
  'OffHeapExecutionMemory',
  'OnHeapStorageMemory',
  'OffHeapStorageMemory',
  'OnHeapUnifiedMemory',
  'OffHeapUnifiedMemory',
  'DirectPoolMemory',
  'MappedPoolMemory',
  'ProcessTreeJVMVMemory',
  'ProcessTreeJVMRSSMemory',
  'ProcessTreePythonVMemory',
  'ProcessTreePythonRSSMemory',
  'ProcessTreeOtherVMemory',
  'ProcessTreeOtherRSSMemory',
  'MinorGCCount',
  'MinorGCTime',
  'MajorGCCount',
  'MajorGCTime',
  'TotalGCTime',
  'ConcurrentGCCount',
  'ConcurrentGCTime',
];

function longs(names: readonly string[], v: Values): fc.Arbitrary<Json> {
  return fc.record(Object.fromEntries(names.map((name) => [name, v.long])));
}

const storageLevel = fc.record({
  'Use Disk': fc.boolean(),
  'Use Memory': fc.boolean(),
  'Use Off Heap': fc.boolean(),
  Deserialized: fc.boolean(),
  Replication: fc.nat({ max: 3 }),
});

function accumulable(v: Values): fc.Arbitrary<Json> {
  const blockStatuses = fc.array(
    fc.record({
      'Block ID': fc.constant('rdd_2_0'),
      Status: fc.record({ 'Storage Level': storageLevel, 'Memory Size': v.long, 'Disk Size': v.long }),
    }),
    { maxLength: 2 },
  );
  // SQL metrics are written as strings; internal task metrics as numbers; block updates as lists
  const value = fc.oneof(v.long, v.long.map(String), v.text, blockStatuses);
  return fc.record(
    {
      ID: fc.nat({ max: 500 }),
      Name: fc.constantFrom('internal.metrics.executorRunTime', 'number of output rows', 'duration'),
      Update: value,
      Value: value,
      Internal: fc.boolean(),
      'Count Failed Values': fc.boolean(),
      Metadata: fc.constant('sql'),
    },
    { requiredKeys: ['ID', 'Name', 'Value', 'Internal', 'Count Failed Values'] },
  );
}

function taskInfo(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    'Task ID': v.long,
    Index: v.long,
    Attempt: v.long,
    'Partition ID': v.long,
    'Launch Time': v.long,
    'Executor ID': v.id,
    Host: fc.constantFrom('localhost', '10.0.3.7'),
    Locality: fc.constantFrom('PROCESS_LOCAL', 'NODE_LOCAL', 'ANY'),
    Speculative: fc.boolean(),
    'Getting Result Time': v.long,
    'Finish Time': v.long,
    Failed: fc.boolean(),
    Killed: fc.boolean(),
    Accumulables: fc.array(accumulable(v), { maxLength: 5 }),
  });
}

function taskEndReason(v: Values): fc.Arbitrary<Json> {
  const accumulatorUpdates = fc.array(accumulable(v), { maxLength: 2 });
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ Reason: 'Success' }) },
    fc.record({ Reason: fc.constant('TaskKilled'), 'Kill Reason': v.text, 'Accumulator Updates': accumulatorUpdates }),
    fc.record({
      Reason: fc.constant('ExceptionFailure'),
      'Class Name': fc.constant('java.lang.RuntimeException'),
      Description: v.text,
      'Stack Trace': fc.array(
        fc.record({
          'Declaring Class': fc.constant('Foo'),
          'Method Name': fc.constant('bar'),
          'File Name': fc.constant('Foo.scala'),
          'Line Number': fc.nat(),
        }),
        { maxLength: 2 },
      ),
      'Full Stack Trace': v.text,
      'Accumulator Updates': accumulatorUpdates,
    }),
    fc.record({ Reason: fc.constant('TaskCommitDenied'), 'Job ID': v.long, 'Partition ID': v.long }),
    fc.record({
      Reason: fc.constant('ExecutorLostFailure'),
      'Executor ID': v.id,
      'Exit Caused By App': fc.boolean(),
      'Loss Reason': v.text,
    }),
    fc.constant({ Reason: 'Resubmitted' }),
  );
}

function taskMetrics(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    'Executor Deserialize Time': v.long,
    'Executor Deserialize CPU Time': v.long,
    'Executor Run Time': v.long,
    'Executor CPU Time': v.long,
    'Peak Execution Memory': v.long,
    'Result Size': v.long,
    'JVM GC Time': v.long,
    'Result Serialization Time': v.long,
    'Memory Bytes Spilled': v.long,
    'Disk Bytes Spilled': v.long,
    'Shuffle Read Metrics': fc.record({
      'Remote Blocks Fetched': v.long,
      'Local Blocks Fetched': v.long,
      'Fetch Wait Time': v.long,
      'Remote Bytes Read': v.long,
      'Remote Bytes Read To Disk': v.long,
      'Local Bytes Read': v.long,
      'Total Records Read': v.long,
      'Remote Requests Duration': v.long,
      'Push Based Shuffle': longs(['Corrupt Merged Block Chunks', 'Merged Fetch Fallback Count'], v),
    }),
    'Shuffle Write Metrics': longs(['Shuffle Bytes Written', 'Shuffle Write Time', 'Shuffle Records Written'], v),
    'Input Metrics': longs(['Bytes Read', 'Records Read'], v),
    'Output Metrics': longs(['Bytes Written', 'Records Written'], v),
    'Updated Blocks': noItems,
  });
}

function taskEnd(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    Event: fc.constant('SparkListenerTaskEnd'),
    'Stage ID': v.long,
    'Stage Attempt ID': v.long,
    'Task Type': fc.constantFrom('ResultTask', 'ShuffleMapTask'),
    'Task End Reason': taskEndReason(v),
    'Task Info': taskInfo(v),
    'Task Executor Metrics': longs(EXECUTOR_METRIC_NAMES, v),
    'Task Metrics': taskMetrics(v),
  });
}

function stageCompleted(v: Values): fc.Arbitrary<Json> {
  const rddInfo = fc.record({
    'RDD ID': fc.nat({ max: 50 }),
    Name: fc.constant('MapPartitionsRDD'),
    Scope: v.text,
    Callsite: v.text,
    'Parent IDs': fc.array(fc.nat({ max: 50 }), { maxLength: 2 }),
    'Storage Level': storageLevel,
    Barrier: fc.boolean(),
    DeterministicLevel: fc.constant('DETERMINATE'),
    'Number of Partitions': v.long,
    'Number of Cached Partitions': v.long,
    'Memory Size': v.long,
    'Disk Size': v.long,
  });
  return fc.record({
    Event: fc.constant('SparkListenerStageCompleted'),
    'Stage Info': fc.record(
      {
        'Stage ID': v.long,
        'Stage Attempt ID': v.long,
        'Stage Name': v.text,
        'Number of Tasks': v.long,
        'RDD Info': fc.array(rddInfo, { maxLength: 3 }),
        'Parent IDs': fc.array(fc.nat({ max: 50 }), { maxLength: 2 }),
        Details: v.text,
        'Submission Time': v.long,
        'Completion Time': v.long,
        'Failure Reason': v.text,
        Accumulables: fc.array(accumulable(v), { maxLength: 4 }),
        'Resource Profile Id': fc.nat({ max: 3 }),
        'Shuffle Push Enabled': fc.boolean(),
        'Shuffle Push Mergers Count': fc.nat({ max: 3 }),
      },
      { requiredKeys: ['Stage ID', 'Stage Attempt ID', 'Stage Name', 'Number of Tasks', 'RDD Info', 'Accumulables'] },
    ),
  });
}

function executorAdded(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    Event: fc.constant('SparkListenerExecutorAdded'),
    Timestamp: v.long,
    'Executor ID': v.id,
    'Executor Info': fc.record({
      Host: fc.constant('10.0.3.7'),
      'Total Cores': v.long,
      'Log Urls': noFields,
      Attributes: noFields,
      Resources: noFields,
      'Resource Profile Id': fc.nat({ max: 3 }),
    }),
  });
}

function executorRemoved(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    Event: fc.constant('SparkListenerExecutorRemoved'),
    Timestamp: v.long,
    'Executor ID': v.id,
    'Removed Reason': fc.oneof(v.text, fc.constant('Executor killed by driver.')),
  });
}

function stageExecutorMetrics(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    Event: fc.constant('SparkListenerStageExecutorMetrics'),
    'Executor ID': v.id,
    'Stage ID': v.long,
    'Stage Attempt ID': v.long,
    'Executor Metrics': longs(EXECUTOR_METRIC_NAMES, v),
  });
}

function executorMetricsUpdate(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    Event: fc.constant('SparkListenerExecutorMetricsUpdate'),
    'Executor ID': v.id,
    'Metrics Updated': noItems,
    'Executor Metrics Updated': fc.array(
      fc.record({
        'Stage ID': v.long,
        'Stage Attempt ID': v.long,
        'Executor Metrics': longs(EXECUTOR_METRIC_NAMES, v),
      }),
      { maxLength: 2 },
    ),
  });
}

function applicationStart(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    Event: fc.constant('SparkListenerApplicationStart'),
    'App Name': v.text,
    'App ID': fc.oneof(fc.constant('local-1796221636687'), v.id),
    Timestamp: v.long,
    User: fc.constant('spark'),
  });
}

function applicationEnd(v: Values): fc.Arbitrary<Json> {
  return fc.record({ Event: fc.constant('SparkListenerApplicationEnd'), Timestamp: v.long, ExitCode: fc.nat(3) });
}

function environmentUpdate(v: Values): fc.Arbitrary<Json> {
  return fc.record({
    Event: fc.constant('SparkListenerEnvironmentUpdate'),
    'JVM Information': fc.record({ 'Java Home': fc.constant('/usr/lib/jvm/java-17'), 'Java Version': v.text }),
    'Spark Properties': fc.dictionary(
      fc.oneof(fc.constantFrom('spark.master', 'spark.app.submitTime', '__proto__'), fc.string()),
      v.text,
    ),
    'Hadoop Properties': fc.dictionary(fc.string(), v.text, { maxKeys: 2 }),
    'System Properties': fc.dictionary(fc.string(), v.text, { maxKeys: 2 }),
    'Metrics Properties': noFields,
    'Classpath Entries': fc.dictionary(fc.string(), fc.constant('System Classpath'), { maxKeys: 2 }),
  });
}

/** Events that carry no metric: the parser ignores them. */
function eventsWithoutMetrics(v: Values): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.record({ Event: fc.constant('SparkListenerLogStart'), 'Spark Version': fc.constant('4.0.1') }),
    fc.record({
      Event: fc.constant('SparkListenerTaskStart'),
      'Stage ID': v.long,
      'Stage Attempt ID': v.long,
      'Task Info': taskInfo(v),
    }),
    fc.record({
      Event: fc.constant('SparkListenerJobStart'),
      'Job ID': v.long,
      'Submission Time': v.long,
      'Stage Infos': fc.array(
        stageCompleted(v).map((e) => e['Stage Info']!),
        { maxLength: 2 },
      ),
      'Stage IDs': fc.array(fc.nat({ max: 50 }), { maxLength: 3 }),
      Properties: fc.dictionary(fc.string(), v.text, { maxKeys: 3 }),
    }),
    fc.record({
      Event: fc.constant('org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart'),
      executionId: v.long,
      description: v.text,
      physicalPlanDescription: v.text,
      sparkPlanInfo: fc.record({ nodeName: v.text, simpleString: v.text, children: noItems }),
      time: v.long,
    }),
    // the metric events' names inside another event: they must not be read
    fc.record({ Event: fc.constant('com.example.MyListenerEvent'), payload: fc.oneof(taskEnd(v), fc.jsonValue()) }),
  );
}

function sparkEvents(v: Values): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 4, arbitrary: taskEnd(v) },
    { weight: 2, arbitrary: stageCompleted(v) },
    executorAdded(v),
    executorRemoved(v),
    stageExecutorMetrics(v),
    executorMetricsUpdate(v),
    applicationStart(v),
    applicationEnd(v),
    environmentUpdate(v),
    { weight: 2, arbitrary: eventsWithoutMetrics(v) },
  );
}

/** Events as Spark writes them. */
export const plainSparkEvent = sparkEvents(plainValues);
/** Events of Spark's shape with values Spark never writes. */
export const oddSparkEvent = sparkEvents(oddValues);
/**
 * One change to an event's tree, at the object and key its numbers pick: drop a field, move it
 * last (another field order), or add one at any position. Added keys may be the ones the decoders
 * read, or keys that end like them, with values that hold them again; not "Completion Time",
 * which the fast decoder takes to be Stage Info's (its doc says why).
 */
type EditKind = 'drop' | 'move' | 'add';

function edit(kinds: readonly EditKind[]) {
  return fc.record({
    kind: fc.constantFrom(...kinds),
    objectPick: fc.nat(),
    keyPick: fc.nat(),
    key: fc.oneof(
      fc.constantFrom('Event', 'Stage ID', 'Task Info', 'Executor ID', 'Finish Time', 'Reason', 'Failure Reason'),
      fc.constantFrom('Task Executor Metrics', 'Task Metrics', 'JVMHeapMemory', 'Accumulables', 'Stage Info'),
      fc.constantFrom('x"Executor ID', 'x"Finish Time', 'x"JVMHeapMemory', 'x\\'),
      fc.string(),
    ),
    value: fc.oneof(
      fc.jsonValue(),
      fc.constant({ 'Executor ID': 'elsewhere', 'Finish Time': 1, JVMHeapMemory: 1, 'Task Metrics': {} }),
    ),
  });
}

function editedEvents(kinds: readonly EditKind[]): fc.Arbitrary<Json> {
  return fc.tuple(oddSparkEvent, fc.array(edit(kinds), { minLength: 1, maxLength: 4 })).map(([event, edits]) => {
    const tree = structuredClone(event);
    for (const e of edits) {
      const objects = objectsIn(tree);
      const target = objects[e.objectPick % objects.length]!;
      let fields = Object.entries(target);
      if (e.kind === 'add') {
        fields = fields.filter(([key]) => key !== e.key);
        fields.splice(e.keyPick % (fields.length + 1), 0, [e.key, structuredClone(e.value)]);
      } else if (fields.length > 0) {
        const [field] = fields.splice(e.keyPick % fields.length, 1);
        if (e.kind === 'move') fields.push(field!);
      }
      setFields(target, fields);
    }
    return tree;
  });
}

/** A Spark-shaped event after a few edits: fields missing, reordered, or where Spark does not put them. */
export const editedSparkEvent = editedEvents(['drop', 'move', 'add']);
/**
 * Only fields missing or reordered: no structure Spark does not write, such as the nested
 * "Task Metrics" that lets a cut line pass the fast decoder as whole (its doc says why).
 */
export const reorderedSparkEvent = editedEvents(['drop', 'move']);

/** Replaces the fields of `target`, in this order ("__proto__" too, as JSON.parse makes it). */
function setFields(target: Json, fields: [string, JsonValue | undefined][]): void {
  for (const key of Object.keys(target)) delete target[key];
  for (const [key, value] of fields) {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

function objectsIn(value: JsonValue | undefined): Json[] {
  if (value === undefined || value === null || typeof value !== 'object') return [];
  const children = Array.isArray(value) ? value : Object.values(value);
  return [...(Array.isArray(value) ? [] : [value]), ...children.flatMap(objectsIn)];
}
