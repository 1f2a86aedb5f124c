/**
 * The end-to-end load harness: an open-model, coordinated-omission-corrected terminal simulator
 * driving an in-process issuer stub, directly and through a switch node, with a transaction mix and
 * a ledger check; and its soak mode, a long run sampled for growth.
 */
package io.acqswitch.bench.load;
