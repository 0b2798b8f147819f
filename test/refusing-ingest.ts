// A stand-in for a riskstream ingest that refuses every request with the status the test sets
// (401 for a key it does not take, 404 for a process without the ingest role), for the commands
// that send to `--url` and must say what to check.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RefusingIngest = {
  readonly url: string;
  /** The status every later request is answered with. */
  status: number;
  close(): Promise<void>;
};

export async function startRefusingIngest(status: number): Promise<RefusingIngest> {
  const ingest = { status };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(ingest.status, { 'content-type': 'application/json' }).end('{"error":{"code":"RS_ERR_X","message":"refused","retryable":false}}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(ingest, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
