import { config } from '@authmeet/eslint-config';

export default config({ tsconfigRootDir: import.meta.dirname });
