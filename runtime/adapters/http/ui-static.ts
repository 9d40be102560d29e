/**
 * The web dashboards' static files (built by `npm run build:ui` into runtime/ui/dist) at `/`, with
 * the single-page fallback: a GET outside the API that accepts HTML gets index.html, whose router
 * draws the page. The shell holds no data, so it is public; every figure comes from the API.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:ui` writes the bundle. */
export const UI_DIST = resolve(fileURLToPath(new URL('../../ui/dist', import.meta.url)));

/** Paths the UI never answers: the APIs, documentation, metrics and health keep their own 404s. */
const NOT_UI = /^\/(api|ocean|docs|openapi\.json|metrics|healthz|readyz)(\/|$|\?)/;

/** Vite names built assets by their content hash: they may be cached for good. */
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

export interface UiStaticOptions {
  /** The built bundle's directory. @default runtime/ui/dist */
  root?: string;
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') || accept.includes('*/*') || accept === '';
}

/** The file under root that the URL path names, or undefined (absent, a directory, or outside root). */
function fileOf(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  if (relative === '' || relative.includes('\0')) return undefined;
  const file = join(root, relative);
  if (!file.startsWith(root + sep)) return undefined;
  try {
    return statSync(file).isFile() ? relative : undefined;
  } catch {
    return undefined;
  }
}

export async function registerUiStatic(app: FastifyInstance, options: UiStaticOptions = {}): Promise<void> {
  const root = resolve(options.root ?? UI_DIST);
  await app.register(fastifyStatic, { root, serve: false });

  const sendIndex = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });

  app.get(
    '/*',
    { config: { scope: 'public' }, schema: { hide: true } },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (NOT_UI.test(path)) return reply.callNotFound();
      // checked per request: a build made after the start is served without a restart
      if (!existsSync(join(root, 'index.html'))) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(
            `The dashboards are not built: run \`npm run build:ui\` (scripts/setup.sh does it), then reload.\n` +
              `Expected ${join(root, 'index.html')}. The API is at /api/v1 and its reference at /docs.\n`,
          );
      }
      const file = fileOf(root, path);
      if (file === 'index.html') return sendIndex(reply);
      if (file) {
        const hashed = file.startsWith(`assets${sep}`);
        return hashed
          ? reply.sendFile(file, root, { maxAge: ONE_YEAR_SECONDS * 1000, immutable: true })
          : reply.header('cache-control', 'no-cache').sendFile(file, root, { cacheControl: false });
      }
      // a page of the app (e.g. /jobs/daily-etl): the router in index.html draws it
      if (request.method === 'GET' && acceptsHtml(request) && !/\.[a-z0-9]+$/i.test(path)) return sendIndex(reply);
      return reply.callNotFound();
    },
  );
}
