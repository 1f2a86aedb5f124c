/**
 * The competitors the switch is measured against in the same run: a zero-logic Netty relay (the
 * "TCP in, TCP out" ceiling) and a jPOS Q2 switch built the way jPOS users build one (the incumbent).
 */
package io.acqswitch.bench.baseline;
