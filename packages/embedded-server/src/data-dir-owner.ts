import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RedisDataDirInUseError } from './errors.js';
import type { Logger } from './logger.js';
import { isAlive, isRedisServerIn, stopProcess } from './process-state.js';

/** Written into a persistent data dir while a server runs there, removed on stop. */
const OWNER_FILE = 'covina-redis.json';

interface OwnerRecord {
  serverPid: number;
  ownerPid: number;
  port: number;
}

async function readRecord(dir: string): Promise<OwnerRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(join(dir, OWNER_FILE), 'utf8')) as Partial<OwnerRecord>;
    if (Number.isInteger(record.serverPid) && Number.isInteger(record.ownerPid)) return record as OwnerRecord;
  } catch {
    // missing or torn: nothing to act on
  }
  return undefined;
}

/**
 * Makes sure no other server works in `dir` before one starts there: two servers on one AOF would
 * corrupt it. A server whose owning process died without stopping it (a stale server) is stopped;
 * one whose owner still runs is left alone and reported with `RedisDataDirInUseError`.
 * Returns the pid of the stale server it stopped, if any.
 */
export async function takeOverDataDir(dir: string, logger: Logger): Promise<number | undefined> {
  const record = await readRecord(dir);
  if (!record) return undefined;
  const { serverPid, ownerPid, port } = record;
  if (!(await isAlive(serverPid)) || !(await isRedisServerIn(serverPid, dir))) {
    await rm(join(dir, OWNER_FILE), { force: true });
    return undefined;
  }
  if (ownerPid === process.pid || (await isAlive(ownerPid))) {
    throw new RedisDataDirInUseError(dir, serverPid, ownerPid);
  }
  logger.warn({ pid: serverPid, port, dir }, 'stopping a stale redis-server left running in this data dir');
  await stopProcess(serverPid, 10_000);
  await rm(join(dir, OWNER_FILE), { force: true });
  return serverPid;
}

export async function recordOwner(dir: string, serverPid: number, port: number): Promise<void> {
  const record: OwnerRecord = { serverPid, ownerPid: process.pid, port };
  await writeFile(join(dir, OWNER_FILE), `${JSON.stringify(record)}\n`);
}

/** Removes the record if it still names `serverPid` (a newer server may have replaced it). */
export async function releaseDataDir(dir: string, serverPid: number): Promise<void> {
  const record = await readRecord(dir);
  if (record?.serverPid === serverPid) await rm(join(dir, OWNER_FILE), { force: true });
}
