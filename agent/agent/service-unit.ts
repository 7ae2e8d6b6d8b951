import fs from 'node:fs';
import path from 'node:path';
import type { ProcessRunner } from './process-runner';

export interface ServiceOptions {
  unitDir: string;
  agentDir: string;
  nodePath: string;
  entry: string;
  enable: boolean;
  run: ProcessRunner;
}

/**
 * The systemd unit for `depot-agent run`. KillMode=mixed: a stop sends SIGTERM to the agent
 * alone, which lets a running installer finish (the daemon stops after it); whatever is left
 * after TimeoutStopSec is killed, and the install journal makes the next start check, not rerun.
 */
export function serviceUnit(o: Pick<ServiceOptions, 'agentDir' | 'nodePath' | 'entry'>): string {
  return `[Unit]
Description=Depot agent (installs software assigned by the Depot server)
Documentation=https://github.com/depot/depot
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
Environment=DEPOT_AGENT_DIR=${o.agentDir}
ExecStart=${o.nodePath} ${o.entry} run
Restart=always
RestartSec=10
KillMode=mixed
TimeoutStopSec=300
UMask=0022

[Install]
WantedBy=multi-user.target
`;
}

/** Writes /etc/systemd/system/depot-agent.service (atomically) and enables and starts it. */
export async function installService(o: ServiceOptions): Promise<{ unitPath: string; enabled: boolean }> {
  for (const [name, value] of Object.entries({ agentDir: o.agentDir, nodePath: o.nodePath, entry: o.entry })) {
    // systemd splits ExecStart on spaces and expands % and $: refuse paths that would be misread.
    if (/[\s%$"'\\]/.test(value)) throw new Error(`${name} "${value}" contains spaces or characters systemd would reinterpret; install Depot under a plain path`);
  }
  const unitPath = path.join(o.unitDir, 'depot-agent.service');
  fs.mkdirSync(o.unitDir, { recursive: true });
  const temp = `${unitPath}.tmp`;
  fs.writeFileSync(temp, serviceUnit(o), { mode: 0o644 });
  fs.renameSync(temp, unitPath);
  if (!o.enable) return { unitPath, enabled: false };
  for (const argv of [
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', 'depot-agent.service'],
  ]) {
    const result = await o.run(argv, { timeoutMs: 60_000 });
    if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} failed: ${result.error ?? result.output.trim().slice(-500)} (the unit is written to ${unitPath}; start it yourself)`);
  }
  return { unitPath, enabled: true };
}
