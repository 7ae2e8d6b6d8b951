import { DEMO_USERS } from '@/lib/users/seed-demo';

// Test servers are started with these fixed demo passwords (DEPOT_DEMO_*_PASSWORD); a real first
// start gets random ones.
export const demoAdmin = { ...DEMO_USERS[0], password: 'test-admin-password' };
export const demoUser = { ...DEMO_USERS[1], password: 'test-user-password' };
