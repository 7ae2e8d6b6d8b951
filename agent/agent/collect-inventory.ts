import si from 'systeminformation';
import type { Inventory } from '../../lib/contract/agent-api';

/**
 * The machine's facts from systeminformation. Some calls take 0.1-0.5 s, so the daemon caches
 * the result and refreshes it on a slow timer.
 */
export async function collectInventory(): Promise<Inventory> {
  const [osInfo, cpu, mem, disks, nets, time] = await Promise.all([si.osInfo(), si.cpu(), si.mem(), si.fsSize(), si.networkInterfaces(), si.time()]);
  const interfaces = Array.isArray(nets) ? nets : [nets];
  return {
    hostname: osInfo.fqdn || osInfo.hostname,
    // systeminformation gives an offset ("UTC+0000"); the IANA name is what windows need.
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    os: { platform: osInfo.platform, distro: osInfo.distro, release: osInfo.release, kernel: osInfo.kernel, arch: osInfo.arch },
    cpu: { model: `${cpu.manufacturer} ${cpu.brand}`.trim().slice(0, 256), cores: Math.max(1, cpu.cores) },
    memory: { totalBytes: mem.total, freeBytes: mem.available },
    disks: disks.slice(0, 64).map((d) => ({ mount: d.mount, sizeBytes: Math.max(0, Math.round(d.size)), freeBytes: Math.max(0, Math.round(d.available)) })),
    network: interfaces
      .filter((n) => !n.internal)
      .slice(0, 64)
      .map((n) => ({ iface: n.iface, ipv4: n.ip4, ipv6: n.ip6, mac: n.mac })),
    uptimeSeconds: time.uptime,
  };
}
