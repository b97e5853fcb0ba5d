import { config } from '@authmeet/eslint-config';

// The servers under src/servers/ are separate processes; each reads its own few variables.
export default config({ tsconfigRootDir: import.meta.dirname, allowEnvIn: ['src/servers/**'] });
