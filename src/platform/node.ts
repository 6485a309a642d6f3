// Imported first by every Node entry point: the core hashes through node:crypto and verifies Ed25519 through libsodium.
import { installNodeCrypto } from './node-crypto';

installNodeCrypto();
