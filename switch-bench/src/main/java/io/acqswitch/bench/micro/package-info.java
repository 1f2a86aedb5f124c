/**
 * JMH micro-benchmarks of the switch's hot path (codec, classification, dedupe keys and store, ring
 * hop, the processor per transaction), each against a baseline in the same class.
 */
package io.acqswitch.bench.micro;
