import { config } from '@authmeet/eslint-config';

// Pictures, passkeys, mail, MFA, Google sign-in and password-strength checks load their libraries
// with their first use (root README, "Memory").
export default config({ tsconfigRootDir: import.meta.dirname, onDemandImports: ['sharp', '@aws-sdk/client-s3', '@simplewebauthn/server', 'nodemailer', 'otplib', '@otplib/plugin-crypto-node', 'qrcode', 'openid-client', 'tinypool'] });
