// Types of broker.mjs, for the TypeScript that imports it (the test setup, tests, the benchmark).
export const defaultBrokers: string;

export interface BrokerOptions {
  /** host:port clients use; default KAFKA_BROKERS or 127.0.0.1:19092. */
  brokers?: string;
  /** Default: the broker's port + 1. */
  controllerPort?: number;
  /** A Kafka release; default KAFKA_VERSION or the pom's 3.9.x. */
  version?: string;
  /** Its data, logs and PID file; default var/kafka/kafka-3, or var/kafka/kafka-<version>. */
  dir?: string;
  /** JVM heap, e.g. 512m. */
  heap?: string;
}

export interface BrokerSettings {
  brokers: string;
  host: string;
  port: number;
  controllerPort: number;
  version: string | undefined;
  /** The pom profile and the logging backend's configuration. */
  line: { profile: string; logging: string };
  dir: string;
  heap: string;
}

export interface RunningBroker extends BrokerSettings {
  /** False when the broker of this directory was already running. */
  started: boolean;
  pid: number;
}

export function brokerSettings(options?: BrokerOptions, env?: Record<string, string | undefined>): BrokerSettings;
export function isLocal(settings: BrokerSettings): boolean;
export function runningPid(settings: BrokerSettings): number | undefined;
export function startBroker(options?: BrokerOptions): Promise<RunningBroker>;
export function stopBroker(options?: BrokerOptions, how?: { signal?: 'SIGTERM' | 'SIGKILL'; timeoutMs?: number }): Promise<boolean>;
export function isBrokerReady(brokers: string, timeoutMs?: number): Promise<boolean>;
export function waitUntilReady(brokers: string, options?: { timeoutMs?: number; gaveUp?: () => string | undefined }): Promise<void>;
