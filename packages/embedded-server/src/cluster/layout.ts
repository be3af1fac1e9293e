import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RedisOptionsError } from '../errors.js';

/** Saved in a persistent cluster's data dir: nodes.conf files name each other by port. */
export interface ClusterLayout {
  masters: number;
  replicasPerMaster: number;
  ports: number[];
}

const LAYOUT_FILE = 'cluster.json';

/** The layout a persistent cluster was created with, checked against the requested shape. */
export async function readLayout(
  dir: string,
  masters: number,
  replicasPerMaster: number,
): Promise<ClusterLayout | undefined> {
  let layout: ClusterLayout;
  try {
    layout = JSON.parse(await readFile(join(dir, LAYOUT_FILE), 'utf8')) as ClusterLayout;
  } catch {
    return undefined;
  }
  if (layout.masters !== masters || layout.replicasPerMaster !== replicasPerMaster) {
    throw new RedisOptionsError(
      'masters',
      `${dir} holds a cluster of ${layout.masters} masters with ${layout.replicasPerMaster} replicas each; ` +
        `asked for ${masters} and ${replicasPerMaster}. Use another dir or delete this one.`,
    );
  }
  return layout;
}

export async function writeLayout(dir: string, layout: ClusterLayout): Promise<void> {
  await writeFile(join(dir, LAYOUT_FILE), `${JSON.stringify(layout)}\n`);
}
