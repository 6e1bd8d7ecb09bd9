// A single-node Kafka for development and tests: one JVM that is both KRaft controller and broker,
// run from the Apache Kafka jars that Maven resolves from Maven Central into the local Maven
// repository (pom.xml beside this file). Usable as a module (the test setup and the benchmark
// import it) and as a command:
//
//   node infra/kafka/broker.mjs start    start (formatting its storage on first run), wait until ready
//   node infra/kafka/broker.mjs wait     wait until the broker answers
//   node infra/kafka/broker.mjs status   say whether it answers
//   node infra/kafka/broker.mjs stop     controlled shutdown (SIGTERM, SIGKILL after 60 s)
//   node infra/kafka/broker.mjs kill     SIGKILL, as a crash would
//
// KAFKA_BROKERS (default 127.0.0.1:19092) is where it listens; its controller takes the next port.
// KAFKA_VERSION picks another Kafka release (default 3.9.2; 4.x works too, see infra/README.md).
// Everything it writes (data, logs, PID file) is under var/kafka/kafka-3/ (kafka-<KAFKA_VERSION>/).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const pom = join(here, 'pom.xml');

export const defaultBrokers = '127.0.0.1:19092';

/** The logging backend differs: Kafka 3.x logs to log4j 1 (reload4j), 4.x to Log4j 2. */
const lines = {
  3: { profile: 'kafka-3', logging: `-Dlog4j.configuration=file:${join(here, 'log4j.properties')}` },
  4: { profile: 'kafka-4', logging: `-Dlog4j2.configurationFile=${join(here, 'log4j2.properties')}` },
};

/**
 * Fills in a broker's settings. `brokers` is the address clients use (host:port on this machine);
 * `version` a Kafka release or undefined for the pom's default (3.9.x); `dir` holds its data,
 * logs and PID file.
 */
export function brokerSettings(options = {}, env = process.env) {
  const { brokers = env.KAFKA_BROKERS || defaultBrokers, controllerPort, version = env.KAFKA_VERSION || undefined, dir, heap = '512m' } = options;
  const [host, portText] = brokers.split(',')[0].trim().split(':');
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port <= 0 || port >= 65535) throw new Error(`KAFKA_BROKERS=${JSON.stringify(brokers)}: expected host:port, e.g. ${defaultBrokers}`);
  const major = version === undefined || Number(version.split('.')[0]) < 4 ? 3 : 4;
  return {
    brokers: `${host}:${port}`,
    host,
    port,
    controllerPort: controllerPort ?? port + 1,
    version,
    line: lines[major],
    // Per release: a newer Kafka upgrades the metadata of its storage, which an older one then cannot read.
    dir: resolve(dir ?? join(root, 'var', 'kafka', version ? `kafka-${version}` : lines[major].profile)),
    heap,
  };
}

/** Whether a broker started here can serve this address: one on another machine must be started there. */
export const isLocal = (settings) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(settings.host);

const pidFile = (settings) => join(settings.dir, 'broker.pid');
const logsDir = (settings) => join(settings.dir, 'logs');

/**
 * The broker's class path. Maven resolves it on first use (downloading the jars into the local
 * repository, ~60 MB); later starts read it from var/kafka, so they need neither Maven nor the network.
 */
function resolveClasspath(settings) {
  const key = createHash('sha256')
    .update(readFileSync(pom))
    .update(`${settings.line.profile} ${settings.version ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const cacheFile = join(root, 'var', 'kafka', `classpath-${key}.txt`);
  if (existsSync(cacheFile)) {
    const cached = readFileSync(cacheFile, 'utf8').trim();
    if (cached.split(':').every((jar) => existsSync(jar))) return cached;
  }
  mkdirSync(dirname(cacheFile), { recursive: true });
  const outputFile = `${cacheFile}.${process.pid}.tmp`;
  const args = ['-B', '-q', '-f', pom, '-P', settings.line.profile, 'dependency:build-classpath', `-Dmdep.outputFile=${outputFile}`];
  if (settings.version) args.push(`-Dkafka.version=${settings.version}`);
  const mvn = spawnSync('mvn', args, { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new Error(`mvn could not resolve the Kafka jars (mvn ${args.join(' ')}):\n${mvn.error?.message ?? ''}${mvn.stdout}${mvn.stderr}`);
  }
  // Written aside and renamed, so two starts resolving at once never read half a file.
  renameSync(outputFile, cacheFile);
  return readFileSync(cacheFile, 'utf8').trim();
}

function serverProperties(settings) {
  const properties = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${settings.host}:${settings.controllerPort}`,
    `listeners=PLAINTEXT://${settings.host}:${settings.port},CONTROLLER://${settings.host}:${settings.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${settings.host}:${settings.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(settings.dir, 'data')}`,
    // Topics are created by the admin client with the settings they need, never by a producer.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    // One partition for the internal topics: the default 50 cost seconds at the first consumer group.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    // After a crash the restarted broker cannot register until its old session expires (9 s by default).
    'broker.session.timeout.ms=3000',
    'broker.heartbeat.interval.ms=1000',
    // Sized for 2 cores and a test machine, not a production load.
    'num.network.threads=2',
    'num.io.threads=4',
    'log.cleaner.dedupe.buffer.size=33554432',
  ];
  if (settings.line === lines[4]) properties.push('share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1');
  return `${properties.join('\n')}\n`;
}

/** A Kafka cluster id: 16 random bytes, base64url without padding. */
const newClusterId = () => randomBytes(16).toString('base64url');

const javaArgs = (settings, classpath, mainClass, args) => [
  `-Xms${settings.heap}`,
  `-Xmx${settings.heap}`,
  '-XX:+UseG1GC',
  '-Djava.awt.headless=true',
  `-Dkafka.logs.dir=${logsDir(settings)}`,
  settings.line.logging,
  '-cp',
  classpath,
  mainClass,
  ...args,
];

/** The PID of the broker that this directory's PID file names, if that process is still a Kafka of this directory. */
export function runningPid(settings) {
  if (!existsSync(pidFile(settings))) return undefined;
  const pid = Number(readFileSync(pidFile(settings), 'utf8').trim());
  return isBrokerProcess(pid, settings) ? pid : undefined;
}

function isBrokerProcess(pid, settings) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    // A killed child of this process stays a zombie until reaped: it is gone all the same.
    if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(settings.dir, 'server.properties'));
  } catch {
    if (existsSync('/proc')) return false;
    // Not Linux: trust the PID file while the process exists.
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** The end of the broker's own output and log, for an error message. */
function tail(settings) {
  return ['broker.out', 'server.log']
    .map((name) => join(logsDir(settings), name))
    .filter((file) => existsSync(file))
    .map((file) => `--- ${file}\n${readFileSync(file, 'utf8').split('\n').slice(-25).join('\n')}`)
    .join('\n');
}

/**
 * Starts the broker unless this directory's broker is already running, then waits until it
 * answers. Resolves to { started, pid, ...settings }: `started` is false when it was running.
 */
export async function startBroker(options = {}) {
  const settings = brokerSettings(options);
  const running = runningPid(settings);
  if (running !== undefined) {
    await waitUntilReady(settings.brokers);
    return { ...settings, started: false, pid: running };
  }
  const classpath = resolveClasspath(settings);
  mkdirSync(logsDir(settings), { recursive: true });
  const properties = join(settings.dir, 'server.properties');
  writeFileSync(properties, serverProperties(settings));

  if (!existsSync(join(settings.dir, 'data', 'meta.properties'))) {
    const format = spawnSync('java', javaArgs(settings, classpath, 'kafka.tools.StorageTool', ['format', '-t', newClusterId(), '-c', properties, '--ignore-formatted']), { encoding: 'utf8' });
    if (format.status !== 0) throw new Error(`kafka-storage format failed:\n${format.error?.message ?? ''}${format.stdout}${format.stderr}`);
  }

  const out = openSync(join(logsDir(settings), 'broker.out'), 'a');
  // Detached: it outlives the command that started it (`broker.mjs start`).
  const child = spawn('java', javaArgs(settings, classpath, 'kafka.Kafka', [properties]), { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited;
  child.on('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });
  child.unref();
  writeFileSync(pidFile(settings), `${child.pid}\n`);
  try {
    await waitUntilReady(settings.brokers, { timeoutMs: 120_000, gaveUp: () => exited });
  } catch (error) {
    if (exited === undefined) child.kill('SIGKILL');
    rmSync(pidFile(settings), { force: true });
    throw new Error(`${error.message}\n${tail(settings)}`);
  }
  return { ...settings, started: true, pid: child.pid };
}

/**
 * Stops this directory's broker: SIGTERM for a controlled shutdown (SIGKILL if it takes longer
 * than timeoutMs), or `signal: 'SIGKILL'` for a crash. Resolves once the process is gone.
 */
export async function stopBroker(options = {}, { signal = 'SIGTERM', timeoutMs = 60_000 } = {}) {
  const settings = brokerSettings(options);
  const pid = runningPid(settings);
  if (pid === undefined) {
    rmSync(pidFile(settings), { force: true });
    return false;
  }
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (isBrokerProcess(pid, settings)) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
  rmSync(pidFile(settings), { force: true });
  return true;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Whether a Kafka broker answers at this address now (its metadata names at least one broker). */
export async function isBrokerReady(brokers, timeoutMs = 2_000) {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const admin = new Kafka({
    clientId: 'beacon-infra',
    brokers: brokers.split(','),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Waits until a broker answers at this address; `gaveUp` returns a reason to stop waiting early. */
export async function waitUntilReady(brokers, { timeoutMs = 120_000, gaveUp = () => undefined } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isBrokerReady(brokers, 1_000)) return;
    const reason = gaveUp();
    if (reason !== undefined) throw new Error(`the Kafka broker for ${brokers} stopped before it was ready (${reason})`);
    if (Date.now() > deadline) throw new Error(`no Kafka broker answered at ${brokers} within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

async function main(command) {
  const settings = brokerSettings();
  const started = performance.now();
  switch (command) {
    case 'start': {
      if (runningPid(settings) === undefined && (await isBrokerReady(settings.brokers))) {
        console.log(`a Kafka broker already answers at ${settings.brokers} (not one started from ${settings.dir})`);
        return;
      }
      const broker = await startBroker(settings);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(broker.started ? `Kafka ready at ${broker.brokers} in ${seconds} s (pid ${broker.pid}, ${broker.dir})` : `Kafka already running at ${broker.brokers} (pid ${broker.pid})`);
      return;
    }
    case 'wait':
      await waitUntilReady(settings.brokers);
      console.log(`Kafka answers at ${settings.brokers}`);
      return;
    case 'status': {
      const ready = await isBrokerReady(settings.brokers);
      const pid = runningPid(settings);
      console.log(`${settings.brokers}: ${ready ? 'answers' : 'does not answer'}${pid ? ` (pid ${pid}, ${settings.dir})` : ''}`);
      process.exitCode = ready ? 0 : 1;
      return;
    }
    case 'stop':
    case 'kill': {
      const stopped = await stopBroker(settings, { signal: command === 'kill' ? 'SIGKILL' : 'SIGTERM' });
      console.log(stopped ? `Kafka at ${settings.brokers} ${command === 'kill' ? 'killed' : 'stopped'}` : `no broker running from ${settings.dir}`);
      return;
    }
    default:
      console.error('usage: node infra/kafka/broker.mjs start|wait|status|stop|kill');
      process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
