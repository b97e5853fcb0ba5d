import { config } from '@authmeet/eslint-config';

// Pictures, passkeys and mail load their libraries with their first use (root README, "Memory").
export default config({ tsconfigRootDir: import.meta.dirname, onDemandImports: ['sharp', '@aws-sdk/client-s3', '@simplewebauthn/server', 'nodemailer'] });
