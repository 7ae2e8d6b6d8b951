import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['lib/**/*.test.ts', 'db/**/*.test.ts', 'agent/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'integ',
          sequence: { groupOrder: 1 },
          include: ['test/**/*.integ.ts'],
          environment: 'node',
          // Each file starts its own server process; two at a time suit a 2-core machine.
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 240_000, // above the 180 s a server start may take (test/helpers/server.ts)
        },
      },
    ],
  },
});
