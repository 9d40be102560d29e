/**
 * Relays a WebSocket both ways, frame for frame (text stays text, binary stays binary), to an
 * upstream WebSocket; what the client sends before the upstream is open waits for it. Either side
 * closing or failing closes the other.
 */
import WebSocket, { type RawData } from 'ws';

export interface RelayTarget {
  url: string;
  headers: Record<string, string>;
}

/** WebSocket close codes must be 1000 or 3000-4999 when sent by an application. */
function closeCode(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

export function relayWebSocket(client: WebSocket, target: RelayTarget): void {
  // no subprotocol upstream: jupyter-server's GatewayClient speaks the legacy one to gateways
  const upstream = new WebSocket(target.url, { headers: target.headers, perMessageDeflate: false });
  const pending: { data: RawData; isBinary: boolean }[] = [];
  client.on('message', (data, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else pending.push({ data, isBinary });
  });
  upstream.on('open', () => {
    for (const { data, isBinary } of pending.splice(0)) upstream.send(data, { binary: isBinary });
  });
  upstream.on('message', (data, isBinary) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  const closeBoth = (code: number, reason: string) => {
    if (client.readyState === WebSocket.OPEN) client.close(closeCode(code), reason.slice(0, 120));
    if (upstream.readyState === WebSocket.OPEN) upstream.close(closeCode(code), reason.slice(0, 120));
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  };
  upstream.on('close', (code, reason) => closeBoth(code, reason.toString()));
  client.on('close', (code, reason) => closeBoth(code, reason.toString()));
  upstream.on('error', (error) => closeBoth(1011, `the kernel's channels failed: ${error.message}`));
  client.on('error', () => closeBoth(1000, ''));
}
