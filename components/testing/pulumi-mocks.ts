/**
 * Runs a Pulumi program in-process under `pulumi.runtime.setMocks`: no engine, no provider
 * plug-ins, no cloud. Records every resource registered (type, name, parent, provider, inputs) so
 * tests can assert on inputs and the preview script can print the tree `pulumi up` would create.
 */
import * as pulumi from '@pulumi/pulumi';

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent; absent for resources at the root of the stack. */
  parentUrn?: string;
  /** False for component resources (no provider manages them). */
  custom: boolean;
  /** Reference ("<provider urn>::<id>") of the explicit provider; absent when the default provider is used. */
  provider?: string;
  inputs: Record<string, unknown>;
}

export interface MockRun<T> {
  resources: RecordedResource[];
  result: T;
}

export interface MockRunOptions {
  /** @default "sparkplane" */
  project?: string;
  /** @default "test" */
  stack?: string;
  /** Stack configuration as the engine passes it: "project:key" -> string (objects JSON-encoded). */
  config?: Record<string, string>;
}

const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
/** A GCP project number, derived from the project id so that two projects differ. */
function projectNumber(projectId: string): string {
  return String(100000000000 + ([...projectId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 899999999999));
}

/** Ids shaped like the real ones where a schema checks them ("subnet-...", "sg-..."). */
function mockId(type: string, name: string): string {
  const prefixes: Record<string, string> = {
    'aws:ec2/subnet:Subnet': 'subnet',
    'aws:ec2/securityGroup:SecurityGroup': 'sg',
    'aws:ec2/vpc:Vpc': 'vpc',
  };
  const prefix = prefixes[type];
  if (!prefix) return `${name}-id`;
  const hex = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16);
  return `${prefix}-0${hex}`;
}

/** The account an AWS provider acts in: the one of the role it assumes, else the caller's. */
function providerAccount(inputs: Record<string, unknown>): string {
  // provider inputs reach the engine JSON-encoded
  const raw = inputs.assumeRoles;
  const roles = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { roleArn?: string }[] | undefined;
  return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(roles?.[0]?.roleArn ?? '')?.[1] ?? ACCOUNT_ID;
}

/** Outputs a provider would compute, made deterministic from the type, name and account. */
function computedState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  account: string,
): Record<string, unknown> {
  const [pkg, module] = type.split(':');
  const service = (module ?? '').split('/')[0];
  const state: Record<string, unknown> = { ...inputs };
  if (pkg === 'aws') {
    state.arn ??=
      type === 'aws:iam/role:Role'
        ? `arn:aws:iam::${account}:role/${String(inputs.name ?? name)}`
        : `arn:aws:${service}:${REGION}:${account}:${name}`;
    state.name ??= name;
  }
  if (pkg === 'gcp') {
    state.name ??= name;
  }
  switch (type) {
    case 'gcp:container/cluster:Cluster':
      state.endpoint = `34.${name.length}.0.1`;
      state.masterAuth = { clusterCaCertificate: 'LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t' };
      break;
    case 'gcp:serviceaccount/account:Account':
      state.email = `${String(inputs.accountId)}@${String(inputs.project)}.iam.gserviceaccount.com`;
      break;
    case 'gcp:iam/workloadIdentityPool:WorkloadIdentityPool':
      state.name = `projects/${projectNumber(String(inputs.project))}/locations/global/workloadIdentityPools/${String(inputs.workloadIdentityPoolId)}`;
      break;
    case 'gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider':
      state.name = `projects/${projectNumber(String(inputs.project))}/locations/global/workloadIdentityPools/${String(inputs.workloadIdentityPoolId)}/providers/${String(inputs.workloadIdentityPoolProviderId)}`;
      break;
    case 'gcp:storage/bucket:Bucket':
      state.url = `gs://${String(state.name)}`;
      break;
    case 'random:index/randomPassword:RandomPassword':
      state.result = `mock-${name}`;
      break;
    case 'aws:eks/cluster:Cluster':
      state.endpoint = `https://${name}.gr7.${REGION}.eks.amazonaws.com`;
      state.certificateAuthority = { data: 'LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t' };
      state.identities = [{ oidcs: [{ issuer: `https://oidc.eks.${REGION}.amazonaws.com/id/${name}` }] }];
      state.vpcConfig = { ...(inputs.vpcConfig as object), clusterSecurityGroupId: 'sg-0cluster0123456789' };
      break;
    case 'aws:s3/bucketV2:BucketV2':
    case 'aws:s3/bucket:Bucket':
      state.bucket ??= name;
      state.arn = `arn:aws:s3:::${String(state.bucket)}`;
      break;
    case 'aws:sqs/queue:Queue':
      state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${String(inputs.name ?? name)}`;
      break;
    case 'aws:rds/instance:Instance':
      state.address = `${name}.abc.${REGION}.rds.amazonaws.com`;
      state.port = inputs.port ?? 5432;
      break;
    case 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition':
      // nothing reads a CRD's outputs back, and a vendored one is thousands of nodes to echo through the mock engine
      delete state.spec;
      break;
    case 'kubernetes:core/v1:Service':
      state.spec = { ...(inputs.spec as object), clusterIP: '10.100.0.10' };
      break;
  }
  return state;
}

function mockCall(args: pulumi.runtime.MockCallArgs, account: string): Record<string, unknown> {
  switch (args.token) {
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return { names: ['us-east-1a', 'us-east-1b', 'us-east-1c'], zoneIds: ['use1-az1', 'use1-az2', 'use1-az4'] };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: account, arn: `arn:aws:iam::${account}:user/test`, userId: 'test' };
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com' };
    case 'aws:index/getRegion:getRegion':
      return { name: REGION, region: REGION };
    case 'gcp:organizations/getProject:getProject': {
      const projectId = String(args.inputs.projectId ?? 'mock-project');
      return { projectId, number: projectNumber(projectId), name: projectId };
    }
    case 'gcp:storage/getProjectServiceAccount:getProjectServiceAccount': {
      const number = projectNumber(String(args.inputs.project ?? 'mock-project'));
      return { emailAddress: `service-${number}@gs-project-accounts.iam.gserviceaccount.com` };
    }
    default:
      return args.inputs as Record<string, unknown>;
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
}
type Callback = (err: unknown, response: { getUrn(): string } | undefined) => void;
interface Monitor {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_MARK = '1b47061264138c4ac30d75fd1eb44270';

/** Inputs with Pulumi's secret envelopes opened (the mock engine passes them wrapped). */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG] === SECRET_MARK) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** Waits until every registration and invoke in flight has finished (the engine's own drain). */
async function drain(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (!runtime.waitForRPCs)
    throw new Error('@pulumi/pulumi no longer exports runtime.waitForRPCs: update the mock harness');
  await runtime.waitForRPCs();
}

/** Runs `program` under mocks and returns every resource it registered, in registration order. */
export async function runUnderMocks<T>(
  program: () => T | Promise<T>,
  options: MockRunOptions = {},
): Promise<MockRun<T>> {
  const inputsByKey = new Map<string, Record<string, unknown>>();
  const resources: RecordedResource[] = [];
  // AWS providers' accounts by the end of their reference ("<urn ending in ::name>::<id>"), so each
  // resource's ARNs and caller identity name its provider's account
  const accounts = new Map<string, string>();
  const accountOf = (provider: string | undefined) =>
    (provider && accounts.get(provider.split('::').slice(-2).join('::'))) || ACCOUNT_ID;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        inputsByKey.set(`${args.type}::${args.name}`, inputs);
        const id = mockId(args.type, args.name);
        if (args.type === 'pulumi:providers:aws') accounts.set(`${args.name}::${id}`, providerAccount(inputs));
        return { id, state: computedState(args.type, args.name, inputs, accountOf(args.provider)) };
      },
      call: (args) => mockCall(args, accountOf(args.provider)),
    },
    options.project ?? 'sparkplane',
    options.stack ?? 'test',
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      if (response) {
        const parentUrn = req.getParent();
        const provider = req.getProvider();
        resources.push({
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          ...(parentUrn ? { parentUrn } : {}),
          custom: req.getCustom(),
          ...(provider ? { provider } : {}),
          inputs: inputsByKey.get(`${req.getType()}::${req.getName()}`) ?? {},
        });
      }
      callback(err, response);
    });
  pulumi.runtime.setAllConfig(options.config ?? {});
  // Pulumi records a stack trace per resource; mapping each through tsx's source maps costs
  // seconds per stack, and the mocks need no source positions
  const sourceMaps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled ?? false;
  process.setSourceMapsEnabled(false);
  try {
    const result = await program();
    await drain();
    return { resources, result };
  } catch (error) {
    // what the program registered before it threw settles under these mocks, not the next run's
    await drain().catch(() => undefined);
    throw error;
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
  }
}

/** The value of an Output once the mocks have resolved it. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}
