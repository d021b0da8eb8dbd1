import { defineConfig } from 'vitest/config';

// Two projects so a developer can run the fast unit suite alone (`npm run test:unit`); the
// integration suite starts the real runner on fixture workspaces and needs `npm run build` first.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration tests measure memory and kill processes: one file at a time keeps the
          // figures honest on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
