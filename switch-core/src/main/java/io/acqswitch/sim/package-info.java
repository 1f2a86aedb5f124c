/** Simulators that are product features: the issuer stub with its ledger, and terminal clients. */
package io.acqswitch.sim;
