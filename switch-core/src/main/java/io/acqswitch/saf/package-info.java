/** Store-and-forward of reversal advices: queued durably, sent until the issuer acknowledges, expired for operations. */
package io.acqswitch.saf;
