import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectDir } from './server';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs depot-pack as a real child process, as an admin would. */
export function depotPack(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runTool('depot-pack', args, env);
}

/** Runs depot-agent as a real child process, as on a managed machine. */
export function depotAgent(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runTool('depot-agent', args, env);
}

function runTool(tool: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(projectDir, `agent/bin/${tool}.mjs`), ...args], {
      cwd: projectDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
