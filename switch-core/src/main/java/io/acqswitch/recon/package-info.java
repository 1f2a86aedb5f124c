/** Reconciliation: the switch's journal compared with an issuer's ledger export, every difference reported. */
package io.acqswitch.recon;
