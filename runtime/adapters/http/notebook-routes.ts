/**
 * The Jupyter kernel gateway API of a cluster, as jupyter-server's GatewayClient calls it
 * (`jupyter lab --GatewayClient.url=<base>/ocean/spark/cluster/<clusterId>/notebook/
 * --GatewayClient.auth_token=<token>`), under the Ocean path and the native one
 * (/api/v1/clusters/<clusterId>/notebook/). The token may be sent as `Authorization: token <t>`.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ResourceId } from '../../domain/common';
import { DomainError, notFound } from '../../domain/errors';
import { Kernel, KernelIdParams, KernelSpec, KernelSpecs, KernelStartRequest } from '../../domain/notebook';
import { kernelSpecOf, kernelSpecsOf } from '../notebook/kernelspecs';
import { kernelVarOverrides } from '../notebook/kernel-env';
import type { HttpDeps } from './deps';
import { NoContent } from './native-schemas';
import { relayWebSocket } from './ws-relay';

const ClusterParams = z.strictObject({ clusterId: ResourceId });
const SpecParams = z.strictObject({ clusterId: ResourceId, name: z.string().min(1) });
const Ids = KernelIdParams.extend({ clusterId: ResourceId });
/** jupyter-server adds ?user=<KERNEL_USERNAME> to kernelspec requests; the token says who calls. */
const SpecQuery = z.looseObject({ user: z.string().optional() });
const ChannelsQuery = z.looseObject({ session_id: z.string().optional() });

export interface NotebookRouteOptions {
  /** The error answers of the API the routes are under (Ocean envelope or problem documents). */
  errors: Record<string, z.ZodType>;
  tag: string;
}

export function notebookRoutes(notebookDeps: NonNullable<HttpDeps['notebooks']>, options: NotebookRouteOptions) {
  return async (instance: FastifyInstance): Promise<void> => {
    const notebooks = notebookDeps.service;
    const app = instance.withTypeProvider<ZodTypeProvider>();
    const tags = [options.tag];
    const errors = options.errors;
    // a refused WebSocket upgrade is answered on the raw socket, which no HTTP server manages: close it
    // once answered, or a client that keeps it open would hold the server's shutdown
    instance.addHook('onResponse', async (request) => {
      if (request.headers.upgrade) request.raw.socket.end();
    });
    const read = { scope: 'applications:read' as const, jupyterToken: true };
    const use = { scope: 'applications:create' as const, jupyterToken: true };

    app.get(
      '/api/kernelspecs',
      {
        config: read,
        schema: {
          tags,
          summary: 'List kernelspecs',
          description:
            'One Python kernelspec per config template of the cluster (named by the template id), whose kernels have a SparkSession ready as `spark`.',
          params: ClusterParams,
          querystring: SpecQuery,
          response: { 200: KernelSpecs, ...errors },
        },
      },
      async (request) => kernelSpecsOf(await notebooks.templates(request.params.clusterId, request.principal)),
    );

    app.get(
      '/api/kernelspecs/:name',
      {
        config: read,
        schema: {
          tags,
          summary: 'Get a kernelspec',
          description: 'The kernelspec of one config template of the cluster.',
          params: SpecParams,
          querystring: SpecQuery,
          response: { 200: KernelSpec, ...errors },
        },
      },
      async (request) => {
        const { clusterId, name } = request.params;
        const template = (await notebooks.templates(clusterId, request.principal)).find((t) => t.id === name);
        if (!template) throw notFound('kernelspec (config template)', name);
        return kernelSpecOf(template);
      },
    );

    app.post(
      '/api/kernels',
      {
        config: use,
        schema: {
          tags,
          summary: 'Start a kernel',
          description:
            'Starts a kernel of the kernelspec `name` (a config template): an application of type notebook, with no job, the user being the token name and the config the template merged like a submission. `env` entries KERNEL_VAR_<NAME> reach the kernel as <NAME> (driver.envVars). Answers once the kernel runs.',
          params: ClusterParams,
          body: KernelStartRequest,
          response: { 201: Kernel, ...errors },
        },
      },
      async (request, reply) => {
        const { name, env } = request.body;
        if (name === undefined) {
          const message = 'name: is required: expected the kernelspec to start (a config template id of the cluster)';
          throw new DomainError('VALIDATION_FAILED', message, [{ path: 'name', message }]);
        }
        const kernel = await notebooks.start(
          request.params.clusterId,
          name,
          kernelVarOverrides(env),
          request.principal,
        );
        return reply.code(201).send(kernel);
      },
    );

    app.get(
      '/api/kernels',
      {
        config: read,
        schema: {
          tags,
          summary: 'List kernels',
          description: 'The running kernels of the cluster the token may see.',
          params: ClusterParams,
          response: { 200: z.array(Kernel), ...errors },
        },
      },
      async (request) => notebooks.list(request.params.clusterId, request.principal),
    );

    app.get(
      '/api/kernels/:kernelId',
      {
        config: read,
        schema: {
          tags,
          summary: 'Get a kernel',
          description: 'The kernel: its state (idle, busy...), last activity and connections.',
          params: Ids,
          response: { 200: Kernel, ...errors },
        },
      },
      async (request) => notebooks.get(request.params.clusterId, request.params.kernelId, request.principal),
    );

    app.delete(
      '/api/kernels/:kernelId',
      {
        config: { scope: 'applications:kill', jupyterToken: true },
        schema: {
          tags,
          summary: 'Shut a kernel down',
          description:
            'Shuts the kernel and its SparkSession down cleanly: its application ends COMPLETED and is measured from its event log.',
          params: Ids,
          response: { 204: NoContent, ...errors },
        },
      },
      async (request, reply) => {
        await notebooks.shutdown(request.params.clusterId, request.params.kernelId, request.principal);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/kernels/:kernelId/interrupt',
      {
        config: use,
        schema: {
          tags,
          summary: 'Interrupt a kernel',
          description: 'Interrupts the running cell (SIGINT: pyspark cancels its Spark jobs).',
          params: Ids,
          body: z.unknown().optional(),
          response: { 204: NoContent, ...errors },
        },
      },
      async (request, reply) => {
        await notebooks.interrupt(request.params.clusterId, request.params.kernelId, request.principal);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/kernels/:kernelId/restart',
      {
        config: use,
        schema: {
          tags,
          summary: 'Restart a kernel',
          description:
            "Restarts the kernel: a new Python process with a new SparkSession; the application goes on (its event log is the last driver's).",
          params: Ids,
          body: z.unknown().optional(),
          response: { 200: Kernel, ...errors },
        },
      },
      async (request) => notebooks.restart(request.params.clusterId, request.params.kernelId, request.principal),
    );

    app.route({
      method: 'GET',
      url: '/api/kernels/:kernelId/channels',
      config: use,
      schema: {
        tags,
        summary: 'Kernel channels (WebSocket)',
        description:
          "With a WebSocket upgrade: the kernel's channels (shell, iopub, stdin, control), Jupyter's JSON message protocol relayed both ways to the kernel. Without one: the kernel, as GET api/kernels/{kernelId} answers.",
        params: Ids,
        querystring: ChannelsQuery,
        response: { 200: Kernel, ...errors },
      },
      // the caller may run code in this kernel: checked before the upgrade, so a refusal is an HTTP answer
      preHandler: async (request) => {
        const { clusterId, kernelId } = request.params as z.infer<typeof Ids>;
        await notebooks.authorizeChannels(clusterId, kernelId, request.principal);
      },
      handler: async (request) => {
        const { clusterId, kernelId } = request.params as z.infer<typeof Ids>;
        return notebooks.get(clusterId, kernelId, request.principal);
      },
      wsHandler: async (socket, request) => {
        const { kernelId } = request.params as z.infer<typeof Ids>;
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
        relayWebSocket(socket, await notebookDeps.channels(kernelId, query));
      },
    });
  };
}
