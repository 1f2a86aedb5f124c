/** The Disruptor ring and the hand-offs around it: Netty threads to the ring, the processor's answers back to the event loops. */
package io.acqswitch.pipeline;
