// A published port that is taken, as the engine says it when `up` fails (Docker 20–28):
//   another container holds it:  `Bind for 127.0.0.1:8080 failed: port is already allocated`
//   a host process holds it:     `… Error starting userland proxy: listen tcp4 127.0.0.1:8080: bind: address already in use`
// Both name the container that could not start: `… on endpoint shop-web-1 (<id>): …`. Pure.

export interface PortConflict {
  /** The address and port as the engine printed them (`127.0.0.1:8080`, `[::]:8080`). */
  readonly address: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  /** `engine`: the engine itself has it (another container); `host`: some other process does. */
  readonly heldBy: 'engine' | 'host';
  /** The container that could not publish it. */
  readonly container: string | undefined;
}

const allocated = /Bind for (\S+):(\d+) failed: port is already allocated/;
const inUse = /listen (tcp|udp)[46]? (\S+):(\d+): bind: address already in use/;
const endpoint = /on endpoint (\S+) \(/;

/** The first taken port `stderr` tells of, or undefined. */
export function portConflictOf(stderr: string): PortConflict | undefined {
  for (const line of stderr.split('\n')) {
    const container = endpoint.exec(line)?.[1];
    const engine = allocated.exec(line);
    if (engine !== null) {
      return { address: `${engine[1]}:${engine[2]}`, port: Number(engine[2]), protocol: 'tcp', heldBy: 'engine', container };
    }
    const host = inUse.exec(line);
    if (host !== null) {
      return { address: `${host[2]}:${host[3]}`, port: Number(host[3]), protocol: host[1] === 'udp' ? 'udp' : 'tcp', heldBy: 'host', container };
    }
  }
  return undefined;
}
