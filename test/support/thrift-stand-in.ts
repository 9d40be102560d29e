/**
 * A Spark Thrift Server as far as the runtime can tell, on a loopback port: every HiveServer2 call
 * (binary protocol) is answered with an empty reply of the same name and sequence id.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { encodeMessage, MESSAGE_TYPE, readMessage } from '../../runtime/adapters/thrift/binary-protocol';

export function thriftStandIn(): Server {
  return createServer((socket) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      for (let call = readMessage(received); call; call = readMessage(received)) {
        received = received.subarray(call.length);
        socket.write(encodeMessage(call.name, MESSAGE_TYPE.REPLY, call.seqid, Buffer.from([12, 0, 0, 0, 0])));
      }
    });
  });
}

/** Listens on 127.0.0.1 (at `port`, else a free one); resolves the port. */
export async function listenThrift(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
