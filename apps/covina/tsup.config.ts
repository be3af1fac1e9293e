import { packageBuild } from '../../tsup.config.base.js';

export default packageBuild(['src/cli.ts'], { format: ['esm'], dts: false });
