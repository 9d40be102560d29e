/** The platform's option serving api.spotinst.io (ocean-hostname.ts), rendered under Pulumi mocks. */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExistingCluster } from '../existing/existing-cluster';
import { runUnderMocks } from '../testing/pulumi-mocks';
import { loadCrdValidator } from '../../test/support/k8s-crd-validator';
import { makeTestCertificates } from '../../test/support/test-ca';
import type { AutoscalerKind } from '../cluster/handle';
import { airflowPodSettings } from './ocean-hostname';
import { SparkPlatform } from './platform';

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const certificates = join(mkdtempSync(join(tmpdir(), 'ocean-hostname-')), '/');
const { ca } = makeTestCertificates(certificates);
afterAll(() => rmSync(certificates, { recursive: true, force: true }));

const CERTIFICATE_CRD = loadCrdValidator(
  new URL('../../test/schemas/cert-manager/cert-manager.io_certificates.yaml', import.meta.url).pathname,
  'v1',
);

const oceanHostname = (overrides: Record<string, unknown> = {}) => ({
  issuer: { name: 'cluster-ca' },
  caCertificate: ca,
  ingressClassName: 'nginx',
  controllerService: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' },
  dns: 'coredns-custom',
  airflowNamespaces: ['airflow'],
  ...overrides,
});

async function render(platform: Record<string, unknown>, autoscaler: AutoscalerKind = 'karpenter') {
  const { resources } = await runUnderMocks(() => {
    const cluster = new ExistingCluster('adopted', {
      kubeconfig: 'apiVersion: v1\nkind: Config',
      clusterName: 'lab',
      objectStorageUrl: 's3a://lab-events',
      autoscaler,
    });
    return new SparkPlatform('sparkplane', {
      cluster: cluster.handle,
      runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0',
      ...platform,
    });
  });
  return resources;
}

const inputsOf = (resources: { type: string; inputs: Inputs }[], type: string) =>
  resources.filter((r) => r.type === type).map((r) => r.inputs);

describe('oceanHostname', () => {
  it('renders the certificate, the route to the runtime, the CoreDNS rule and the CA bundle for Airflow', async () => {
    const resources = await render({ oceanHostname: oceanHostname() });
    const [certificate] = inputsOf(resources, 'kubernetes:cert-manager.io/v1:Certificate');
    expect(CERTIFICATE_CRD.errors(certificate)).toEqual([]);
    expect(certificate!.spec).toMatchObject({
      dnsNames: ['api.spotinst.io'],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'cluster-ca' },
    });

    // the Ingress presents that certificate's Secret and sends the provider's paths to the runtime's Service
    const ingress = inputsOf(resources, 'kubernetes:networking.k8s.io/v1:Ingress')[0]!;
    expect(ingress.metadata.namespace).toBe(certificate!.metadata.namespace);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ hosts: ['api.spotinst.io'], secretName: certificate!.spec.secretName }]);
    const [rule] = ingress.spec.rules;
    expect(rule.host).toBe('api.spotinst.io');
    expect(rule.http.paths).toHaveLength(1);
    expect(rule.http.paths[0].path).toBe('/ocean/spark');
    const { name: serviceName, port } = rule.http.paths[0].backend.service;
    const service = inputsOf(resources, 'kubernetes:core/v1:Service').find(
      (s) => s.metadata.name === serviceName && s.metadata.namespace === ingress.metadata.namespace,
    );
    expect(service!.spec.ports.map((p: { name: string }) => p.name)).toContain(port.name);

    // CoreDNS answers the name with the controller's Service, through the coredns-custom snippet
    const [patch] = inputsOf(resources, 'kubernetes:core/v1:ConfigMapPatch');
    expect(patch!.metadata).toMatchObject({ name: 'coredns-custom', namespace: 'kube-system' });
    expect(Object.entries(patch!.data)).toEqual([
      [
        'sparkplane-ocean-hostname.override',
        'rewrite name exact api.spotinst.io ingress-nginx-controller.ingress-nginx.svc.cluster.local answer auto\n',
      ],
    ]);

    // Airflow's namespace gets the bundle: the public roots and the cluster's CA, each a certificate
    const bundle = inputsOf(resources, 'kubernetes:core/v1:ConfigMap').find(
      (c) => c.metadata.name === 'sparkplane-ocean-ca',
    )!;
    expect(bundle.metadata.namespace).toBe('airflow');
    const pems = (bundle.data['ca-bundle.crt'] as string).match(
      /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g,
    )!;
    expect(pems.length).toBeGreaterThan(100);
    expect(pems.map((pem) => new X509Certificate(pem).fingerprint256)).toContain(
      new X509Certificate(ca).fingerprint256,
    );
    // the pod settings the README gives Airflow mount that very ConfigMap and point both variables at its file
    const pod = airflowPodSettings();
    expect(pod.volumes).toEqual([{ name: expect.any(String), configMap: { name: bundle.metadata.name } }]);
    expect(pod.volumeMounts).toEqual([{ name: pod.volumes[0]!.name, mountPath: expect.any(String), readOnly: true }]);
    const file = `${String(pod.volumeMounts[0]!.mountPath)}/${Object.keys(bundle.data)[0]}`;
    expect(pod.env).toEqual([
      { name: 'REQUESTS_CA_BUNDLE', value: file },
      { name: 'SSL_CERT_FILE', value: file },
    ]);
  });

  it("writes EKS's Corefile with the rule when asked, taking the field over from EKS", async () => {
    const resources = await render({
      oceanHostname: oceanHostname({ dns: 'eks-coredns', issuer: { kind: 'Issuer', name: 'ca' } }),
    });
    const [patch] = inputsOf(resources, 'kubernetes:core/v1:ConfigMapPatch');
    expect(patch!.metadata).toMatchObject({
      name: 'coredns',
      namespace: 'kube-system',
      annotations: { 'pulumi.com/patchForce': 'true' },
    });
    const corefile = patch!.data.Corefile as string;
    // the rule sits in the one server block, beside the kubernetes plugin that resolves its target
    expect(corefile.match(/\{/g)?.length).toBe(corefile.match(/\}/g)?.length);
    expect(corefile).toMatch(
      /^\.:53 \{\n[\s\S]*rewrite name exact api\.spotinst\.io ingress-nginx-controller\.ingress-nginx\.svc\.cluster\.local answer auto\n[\s\S]*kubernetes cluster\.local/,
    );
    expect(corefile).toContain('forward . /etc/resolv.conf');
    const [certificate] = inputsOf(resources, 'kubernetes:cert-manager.io/v1:Certificate');
    expect(certificate!.spec.issuerRef.kind).toBe('Issuer');
    expect(CERTIFICATE_CRD.errors(certificate)).toEqual([]);
  });

  it('leaves DNS alone with dns "none"', async () => {
    const resources = await render({ oceanHostname: oceanHostname({ dns: 'none' }) }, 'gke');
    expect(inputsOf(resources, 'kubernetes:core/v1:ConfigMapPatch')).toEqual([]);
    expect(inputsOf(resources, 'kubernetes:cert-manager.io/v1:Certificate')).toHaveLength(1);
  });

  it('refuses what cannot work, naming the field, the value and the expectation', async () => {
    await expect(render({ oceanHostname: oceanHostname() }, 'gke')).rejects.toThrow(
      'oceanHostname.dns: "coredns-custom" cannot work on GKE: its cluster DNS is kube-dns (or Cloud DNS)',
    );
    await expect(render({ oceanHostname: oceanHostname({ ingressClassName: 'alb' }) })).rejects.toThrow(
      'oceanHostname.ingressClassName: "alb" cannot serve it',
    );
    await expect(render({ oceanHostname: oceanHostname({ caCertificate: 'not a pem' }) })).rejects.toThrow(
      'oceanHostname.caCertificate: "not a pem" is not a PEM CA certificate',
    );
    await expect(render({ oceanHostname: oceanHostname({ dns: 'kube-dns' }) })).rejects.toThrow(
      'oceanHostname.dns: "kube-dns" is not one of "coredns-custom", "eks-coredns", "none"',
    );
    await expect(
      runUnderMocks(() => {
        const cluster = new ExistingCluster('adopted', {
          kubeconfig: 'apiVersion: v1\nkind: Config',
          clusterName: 'lab',
          objectStorageUrl: 's3a://lab-events',
        });
        return new SparkPlatform('sparkplane', {
          cluster: cluster.handle,
          runtimeImage: 'ghcr.io/acme/sparkplane:1.0.0',
          runtime: { enabled: false },
          oceanHostname: { ...oceanHostname(), dns: 'coredns-custom' },
        });
      }),
    ).rejects.toThrow(
      "oceanHostname: routes api.spotinst.io to this cluster's runtime, which runtime.enabled: false leaves out",
    );
  });
});
