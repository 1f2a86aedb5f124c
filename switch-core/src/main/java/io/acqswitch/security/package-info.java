/**
 * Keys, PIN and MAC: the security module (HSM) interface, its embedded software implementation on
 * jPOS's {@code JCESecurityModule}, and the key store that keeps every key under the local master key.
 */
package io.acqswitch.security;
