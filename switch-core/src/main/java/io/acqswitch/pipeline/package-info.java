/** The Disruptor ring: every event that changes a transaction passes through it, in order, to one processor. */
package io.acqswitch.pipeline;
