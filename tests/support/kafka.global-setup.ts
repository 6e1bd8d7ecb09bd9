// Global setup of the tests against a real Kafka (*.kafka.test.ts, the "kafka" project of
// vitest.config.ts): makes sure a broker answers at KAFKA_BROKERS (default 127.0.0.1:19092),
// starting one from infra/kafka when none does and stopping it afterwards, and makes sure kcat is
// installed. A fresh machine needs nothing beforehand: Maven downloads the broker's jars on the
// first start, and kcat comes from Debian's packages.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { brokerSettings, isBrokerReady, isLocal, startBroker, stopBroker } from '../../infra/kafka/broker.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The broker address the tests use. */
    kafkaBrokers: string;
    /** How to run kcat, or why it is missing (its tests fail with this, rather than being skipped). */
    kcat: { command: string } | { missing: string };
  }
}

const has = (command: string) => spawnSync(command, ['-V'], { stdio: 'ignore' }).error === undefined;

/** kcat from Debian's packages (the tests run as root on the project's machines). */
function ensureKcat(): { command: string } | { missing: string } {
  if (has('kcat')) return { command: 'kcat' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', 'kcat'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let result = install();
  // A fresh machine may have no package lists yet.
  if (result.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
    result = install();
  }
  if (has('kcat')) return { command: 'kcat' };
  return { missing: `kcat is not installed and \`apt-get install -y kcat\` failed: ${(result.error?.message ?? result.stderr).trim().split('\n').slice(-3).join(' / ')}` };
}

export default async function setup(project: TestProject) {
  const settings = brokerSettings();
  project.provide('kcat', ensureKcat());
  project.provide('kafkaBrokers', settings.brokers);
  if (await isBrokerReady(settings.brokers)) return;
  if (!isLocal(settings)) throw new Error(`no Kafka broker answers at KAFKA_BROKERS=${settings.brokers}, and one can only be started here on this machine`);
  const started = performance.now();
  const broker = await startBroker(settings);
  console.info(`Kafka broker started for the tests at ${broker.brokers} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return async () => {
    if (broker.started) await stopBroker(broker);
  };
}
