// Who listens on a port, read from Linux's /proc: the port's listening sockets in
// /proc/net/{tcp,tcp6,udp,udp6} (their inodes), then the processes with a descriptor
// `socket:[inode]` in /proc/<pid>/fd. Another user's descriptors cannot be read without
// privileges: then nobody is found, and the caller says so.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** A process holding a port. */
export interface PortProcess {
  readonly pid: number;
  /** Its argv joined with spaces, as /proc/<pid>/cmdline has it. */
  readonly commandLine: string;
}

// TCP_LISTEN; an unconnected UDP socket is TCP_CLOSE (07).
const listening = { tcp: '0A', udp: '07' } as const;

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** The inodes of the sockets listening on `port` (any address). */
export function listeningInodes(port: number, protocol: 'tcp' | 'udp', procRoot = '/proc'): Set<string> {
  const inodes = new Set<string>();
  for (const table of [protocol, `${protocol}6`]) {
    // `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …`
    for (const line of readOr(path.join(procRoot, 'net', table), '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1]?.split(':');
      if (local === undefined || fields[3] !== listening[protocol]) continue;
      if (Number.parseInt(local[1] ?? '', 16) === port && fields[9] !== undefined && fields[9] !== '0') inodes.add(fields[9]);
    }
  }
  return inodes;
}

function descriptors(procRoot: string, pid: string): string[] {
  try {
    return readdirSync(path.join(procRoot, pid, 'fd'));
  } catch {
    return []; // gone, or another user's
  }
}

/** The processes holding any of `inodes`, by pid. */
export function processesHolding(inodes: ReadonlySet<string>, procRoot = '/proc'): PortProcess[] {
  if (inodes.size === 0) return [];
  const found: PortProcess[] = [];
  const pids = readdirSync(procRoot).filter((entry) => /^\d+$/.test(entry));
  for (const pid of pids.sort((a, b) => Number(a) - Number(b))) {
    const holds = descriptors(procRoot, pid).some((fd) => {
      try {
        const target = /^socket:\[(\d+)\]$/.exec(readlinkSync(path.join(procRoot, pid, 'fd', fd)));
        return target !== null && inodes.has(target[1] ?? '');
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    const commandLine = readOr(path.join(procRoot, pid, 'cmdline'), '').split('\0').filter((arg) => arg !== '').join(' ');
    found.push({ pid: Number(pid), commandLine });
  }
  return found;
}
