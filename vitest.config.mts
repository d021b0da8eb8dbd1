import { defineConfig } from 'vitest/config';

// Three projects so a developer can run the fast unit suite alone (`npm run test:unit`); the
// integration suite starts the real runner on fixture workspaces and needs `npm run build` first;
// the e2e suite runs the extension in a real VS Code (`npm run test:e2e`).
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
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // A real VS Code (code-server) in headless Chromium: installs once (about a minute),
          // then each file starts its own server. One file at a time, which also puts the files
          // in Vitest's sequential group with the integration files, after the unit tests.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
