/**
 * The end-to-end load harness: a terminal simulator (open model, coordinated-omission corrected, or
 * closed loop) driving an issuer stub directly and through the switch and the baselines, each in a
 * JVM of its own, with a transaction mix and a ledger check; and its soak mode, a long run through
 * an in-process switch sampled for growth.
 */
package io.acqswitch.bench.load;
