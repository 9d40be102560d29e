/** An in-cluster PostgreSQL for dev stacks: one replica, a persistent volume, reachable from the runtime only. */
import type * as pulumi from '@pulumi/pulumi';
import type { PlatformArgs } from './args';
import { appLabels, type Manifest, selectorLabels } from './labels';

export const POSTGRES_NAME = 'sparkplane-postgres';
export const POSTGRES_DB = 'sparkplane';
export const POSTGRES_USER = 'sparkplane';

export function postgresUrl(namespace: string, password: string): string {
  return `postgres://${POSTGRES_USER}:${password}@${POSTGRES_NAME}.${namespace}.svc:5432/${POSTGRES_DB}`;
}

export function postgresManifests(
  namespace: string,
  args: PlatformArgs['inClusterDatabase'],
  password: pulumi.Input<string>,
): Manifest[] {
  const labels = appLabels(POSTGRES_NAME, 'database');
  const selector = selectorLabels(POSTGRES_NAME);
  const meta = { name: POSTGRES_NAME, namespace, labels };
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta,
      type: 'Opaque',
      stringData: { POSTGRES_PASSWORD: password, POSTGRES_USER, POSTGRES_DB },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: { selector, ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta,
      spec: {
        serviceName: POSTGRES_NAME,
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 70,
              fsGroup: 70,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'postgres',
                image: args.image,
                ports: [{ name: 'postgres', containerPort: 5432 }],
                envFrom: [{ secretRef: { name: POSTGRES_NAME } }],
                env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                readinessProbe: {
                  exec: { command: ['pg_isready', '-U', POSTGRES_USER, '-d', POSTGRES_DB] },
                  periodSeconds: 5,
                },
                livenessProbe: {
                  exec: { command: ['pg_isready', '-U', POSTGRES_USER, '-d', POSTGRES_DB] },
                  periodSeconds: 20,
                  failureThreshold: 6,
                },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${args.storageGiB}Gi` } } },
          },
        ],
      },
    },
  ];
}
