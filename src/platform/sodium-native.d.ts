// The one function of sodium-native (libsodium bindings) this service calls; the package ships
// no types, and @types/sodium-native describes its 2.x API.
declare module 'sodium-native' {
  /** libsodium's crypto_sign_verify_detached: true if `signature` is a valid Ed25519 signature of `message` by `publicKey`. */
  export function crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
