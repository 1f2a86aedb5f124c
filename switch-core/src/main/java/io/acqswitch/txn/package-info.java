/** The transaction processor (single writer of all transaction state), the state machine and matching. */
package io.acqswitch.txn;
