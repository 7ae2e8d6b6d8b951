import { DEMO_USERS } from '@/lib/users/seed-demo';

export const demoAdmin = DEMO_USERS[0];
export const demoUser = DEMO_USERS[1];
