/** Micrometer meters of the switch, named by Prometheus conventions, with low-cardinality tags only. */
package io.acqswitch.metrics;
