/**
 * The agent protocol, /api/agent/v1: request and response schemas shared by the server and the
 * agent (this file imports only zod and other contract files).
 */
import { z } from 'zod';
import { installationWindowSchema } from './installation-window';

export const AGENT_API = '/api/agent/v1';

export const enrollRequestSchema = z
  .object({
    secret: z.string({ message: 'expected the enrolment secret' }).min(10, 'expected the enrolment secret').max(200, 'expected the enrolment secret'),
    hostname: z
      .string({ message: 'expected the machine’s host name' })
      .min(1, 'expected the machine’s host name')
      .max(253, 'expected at most 253 characters')
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'expected no control characters'),
    timeZone: z.string({ message: 'expected an IANA time zone' }).min(1).max(64, 'expected an IANA time zone such as Europe/Berlin').default('UTC'),
    facts: z
      .record(z.string(), z.unknown(), { message: 'expected an object of facts' })
      .refine((f) => JSON.stringify(f).length <= 64 * 1024, 'expected at most 64 KiB of facts')
      .default({}),
  })
  .strict();
export type EnrollRequest = z.input<typeof enrollRequestSchema>;

export const enrollResponseSchema = z.object({ machineId: z.uuid(), token: z.string() });
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

export const planSchema = z.object({
  machineId: z.uuid(),
  /** The plan version; sent back as If-None-Match, answered 304 when nothing changed. */
  version: z.number().int(),
  pollSeconds: z.number().int().positive(),
  jitterSeconds: z.number().int().nonnegative(),
  timeZone: z.string(),
  /** Empty: install any time. */
  windows: z.array(installationWindowSchema),
  assignments: z.array(z.unknown()),
});
export type Plan = z.infer<typeof planSchema>;

export function planEtag(machineId: string, version: number): string {
  return `"${machineId}.${version}"`;
}

const bytes = z.number({ message: 'expected a number of bytes' }).int().nonnegative();
const shortText = (max = 256) => z.string({ message: 'expected text' }).max(max, `expected at most ${max} characters`);

/** What the agent reports about its machine (collected with systeminformation, cached). */
export const inventorySchema = z
  .object({
    hostname: shortText(253).min(1, 'expected the host name'),
    timeZone: shortText(64).min(1, 'expected an IANA time zone'),
    os: z.object({ platform: shortText(32), distro: shortText(), release: shortText(), kernel: shortText(), arch: shortText(32) }).strict(),
    cpu: z.object({ model: shortText(), cores: z.number().int().positive() }).strict(),
    memory: z.object({ totalBytes: bytes, freeBytes: bytes }).strict(),
    disks: z.array(z.object({ mount: shortText(1024), sizeBytes: bytes, freeBytes: bytes }).strict()).max(64),
    network: z.array(z.object({ iface: shortText(64), ipv4: shortText(64), ipv6: shortText(128), mac: shortText(32) }).strict()).max(64),
    uptimeSeconds: z.number().nonnegative(),
  })
  .strict();
export type Inventory = z.infer<typeof inventorySchema>;
