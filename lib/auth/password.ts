import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's minimum for argon2id).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a damaged hash is a failed sign-in, not a crash
  }
}

// Verified against when the email is unknown, so a wrong email costs as long as a wrong password
// and response times do not tell which accounts exist.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hash('depot-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}
