/**
 * Two runtime replicas (child processes, the real runtime) on one real PostgreSQL database and one
 * Kubernetes API server (the fake, real HTTP, in this process) share 500 submissions; one replica
 * is SIGKILLed midway. Every application must be created in the cluster exactly once, and none
 * left NEW: the survivor takes over what the dead one owned.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const APPS = 500;
const IN_FLIGHT = 16;
/** Acknowledged submissions after which replica A is killed. */
const KILL_AFTER = 200;
const ADMIN_TOKEN = 'replicas-test-admin-token-0123456789';
const NAMESPACE = 'spark-apps';
const ACTIVE = ['NEW', 'PENDING', 'RUNNING'];
const REPOSITORY = join(import.meta.dirname, '..', '..');
/** Every creation waits this long in the API server, so the killed replica dies with creations in flight. */
const CREATE_DELAY_MS = 1000;

interface Replica {
  id: string;
  child: ChildProcess;
  port: number;
  /** Its stderr, for the failure message. */
  stderr: string[];
}

let fake: FakeKubeApiServer;
let database: TestDatabase;
let dir: string;
let sql: pg.Client;
const replicas: Replica[] = [];

function startReplica(id: string): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPOSITORY, 'test', 'support', 'replica-main.ts')], {
    cwd: REPOSITORY,
    env: {
      ...process.env,
      KUBECONFIG: join(dir, 'kubeconfig'),
      SPARKPLANE_CLUSTERS_FILE: join(dir, 'clusters.yaml'),
      SPARKPLANE_DATABASE_URL: database.url,
      SPARKPLANE_ADMIN_TOKEN: ADMIN_TOKEN,
      SPARKPLANE_REPLICA_ID: id,
      SPARKPLANE_REPLICA_LEASE_SECONDS: '10',
      SPARKPLANE_REPLICA_HEARTBEAT_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const port = /^LISTENING (\d+)$/.exec(line)?.[1];
      if (port) {
        const replica = { id, child, port: Number(port), stderr };
        replicas.push(replica);
        resolve(replica);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`replica ${id} exited (${code}) before listening:\n${stderr.slice(-20).join('\n')}`)),
    );
  });
}

/** POSTs one submission; a refused or reset connection rejects, an HTTP error answer throws with its body. */
async function submit(replica: Replica, appId: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${replica.port}/api/v1/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      clusterId: 'k8s',
      jobId: 'replicas',
      appId,
      configOverrides: { mainApplicationFile: 'local:///app.py' },
    }),
  });
  if (response.status !== 200 && response.status !== 201) {
    throw Object.assign(new Error(`HTTP ${response.status} from ${replica.id}: ${await response.text()}`), {
      http: true,
    });
  }
  return response.status;
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function count(query: string, values: unknown[] = []): Promise<number> {
  const result = await sql.query<{ n: string }>(query, values);
  return Number(result.rows[0]?.n ?? 0);
}

beforeAll(async () => {
  fake = await FakeKubeApiServer.start();
  database = await createTestDatabase('sparkplane_replicas');
  dir = mkdtempSync(join(tmpdir(), 'sparkplane-replicas-'));
  writeFileSync(join(dir, 'kubeconfig'), fake.kubeConfig().exportConfig());
  writeFileSync(join(dir, 'clusters.yaml'), '- id: k8s\n  backend: kubernetes\n  settings: {}\n');
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});

afterAll(async () => {
  for (const { child } of replicas) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }
  await sql?.end();
  await fake?.close();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two runtime replicas on one PostgreSQL', () => {
  it('submits each of 500 applications to the cluster exactly once though one replica is killed midway', async () => {
    // one after the other: the first applies the migrations and creates the admin token
    const a = await startReplica('replica-a');
    const b = await startReplica('replica-b');
    fake.inject({ method: 'POST', pathIncludes: 'sparkapplications', delayMs: CREATE_DELAY_MS, times: APPS * 3 });

    const ids = Array.from({ length: APPS }, (_, i) => `rep-${String(i).padStart(3, '0')}`);
    /** Which replica committed each application. */
    const creator = new Map<string, string>();
    let acknowledged = 0;
    let aKilled = false;
    let createdAtKill = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const index = next++;
        const appId = ids[index]!;
        const first = index % 2 === 0 && !aKilled ? a : b;
        let status: number;
        let by = first;
        try {
          status = await submit(first, appId);
        } catch (error) {
          if ((error as { http?: boolean }).http || first === b) throw error;
          // replica A died under this request: the client retries on B with the same appId
          by = b;
          status = await submit(b, appId);
        }
        // 200: the id existed already, which only happens when A committed it but died before answering
        creator.set(appId, status === 201 ? by.id : a.id);
        acknowledged += 1;
        if (acknowledged === KILL_AFTER) {
          aKilled = true;
          a.child.kill('SIGKILL');
          createdAtKill = new Set(fake.created.keys());
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(aKilled).toBe(true);

    const created = () => ids.filter((id) => fake.created.has(`${NAMESPACE}/${id}`)).length;
    await waitFor(
      'every application created in the cluster and none left NEW or owned by the dead replica',
      async () => {
        if (created() < APPS) return false;
        if ((await count(`SELECT count(*) AS n FROM applications WHERE state = 'NEW'`)) > 0) return false;
        const ownedByDead = await count(
          `SELECT count(*) AS n FROM applications WHERE owner_id = $1 AND state = ANY($2)`,
          ['replica-a', ACTIVE],
        );
        return ownedByDead === 0;
      },
    ).catch((error: unknown) => {
      const stderr = [...a.stderr.slice(-10), ...b.stderr.slice(-10)].join('\n');
      throw new Error(`${(error as Error).message}; created ${created()}/${APPS}\n${stderr}`);
    });

    // exactly once: every application created, none twice, nothing else
    expect(fake.created.size).toBe(APPS);
    const twice = [...fake.created].filter(([, n]) => n !== 1);
    expect(twice).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM applications')).toBe(APPS);
    expect(await count(`SELECT count(*) AS n FROM applications WHERE state <> 'PENDING'`)).toBe(0);
    expect(creator.size).toBe(APPS);

    // one replica acts on each application: what B created, B alone asked the cluster to create
    const createdByB = ids.filter((id) => creator.get(id) === 'replica-b');
    const askedTwice = createdByB.filter((id) => fake.createAttempts.get(`${NAMESPACE}/${id}`) !== 1);
    expect(askedTwice).toEqual([]);
    // A's applications were taken over: all of them now belong to B
    const createdByA = ids.filter((id) => creator.get(id) === 'replica-a');
    expect(createdByA.length).toBeGreaterThan(0);
    // ...among them applications A had committed but not yet created in the cluster when it died
    const finishedByB = createdByA.filter((id) => !createdAtKill.has(`${NAMESPACE}/${id}`));
    expect(finishedByB.length).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM applications WHERE owner_id = 'replica-b'`)).toBe(APPS);

    const retried = [...fake.createAttempts].filter(([, n]) => n > 1).length;
    process.stdout.write(
      `replicas: ${createdByA.length} applications committed by A (killed), ${createdByB.length} by B; ` +
        `${finishedByB.length} of A's created in the cluster after A died; ` +
        `${retried} creation(s) asked again after the take-over (answered 409, not created twice)\n`,
    );
  }, 240_000);
});
