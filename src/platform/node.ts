// Imported first by every Node entry point: the core hashes and verifies through node:crypto.
import { installNodeCrypto } from './node-crypto';

installNodeCrypto();
