import type { Config } from 'jest';
import { createDefaultEsmPreset } from 'ts-jest';

const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.test.json' });

// Relative imports end in `.js` (NodeNext); jest resolves the `.ts` source.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };

const project = (displayName: string, testMatch: string[], extra: Partial<Config> = {}) => ({
  ...preset,
  displayName,
  testMatch,
  moduleNameMapper,
  testEnvironment: 'node',
  ...extra,
});

const config: Config = {
  projects: [
    project('unit', ['<rootDir>/test/**/*.test.ts'], {
      testPathIgnorePatterns: ['\\.cli\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    }),
    // The CLI and e2e layers spawn the built CLI (dist/) as a real process.
    project('cli', ['<rootDir>/test/**/*.cli.test.ts']),
    // Real containers. Their timeout is set by describeE2e (test/e2e/e2e-harness.ts): jest
    // ignores `testTimeout` in a project's config.
    project('e2e', ['<rootDir>/test/**/*.e2e.test.ts']),
  ],
};

export default config;
