/** Durable transaction state: records, the dedupe and matching indexes, counters (Chronicle Map files). */
package io.acqswitch.store;
