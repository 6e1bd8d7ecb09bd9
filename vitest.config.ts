import { configDefaults, defineConfig } from 'vitest/config';

const tests = ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'tests/**/*.test.ts'];
/** Tests against a real Kafka broker: their project's global setup starts one when none answers. */
const kafkaTests = tests.map((pattern) => pattern.replace('*.test.ts', '*.kafka.test.ts'));
/** Tests in a real headless Chromium (Debian's): their project's global setup installs it when missing. */
const browserTests = tests.map((pattern) => pattern.replace('*.test.ts', '*.browser.test.ts'));

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: tests, exclude: [...configDefaults.exclude, ...kafkaTests, ...browserTests] } },
      // A project of their own, so the broker is started only when a Kafka test runs; longer
      // timeouts, as some start, kill and restart a broker of their own beside the whole suite.
      {
        extends: true,
        test: { name: 'kafka', include: kafkaTests, globalSetup: ['tests/support/kafka.global-setup.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        test: { name: 'browser', include: browserTests, globalSetup: ['tests/support/chromium.global-setup.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
});
